import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { EmulatorControlClient } from "../control-client";

const cli = fileURLToPath(new URL("../cli.ts", import.meta.url));
const tsx = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url));

describe("CLI", () => {
  it("prints the ready line, serves the flags it was given and stops on SIGTERM", async () => {
    const child = spawn(tsx, [cli, "--portals", "2", "--deals", "7", "--client-id", "local.cli.1", "--rate-limit", "off"], {
      env: { ...process.env, B24_CLIENT_SECRET: "cli-secret" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (c: Buffer) => {
          out += c.toString();
          const m = /^b24-emulator ready (.+)$/m.exec(out);
          if (m?.[1]) resolve(m[1]);
        });
        child.on("exit", (code) => reject(new Error(`exited ${code}`)));
      });
      const ready = JSON.parse(line) as { oauthUrl: string; portals: Array<{ url: string; memberId: string }> };
      expect(ready.portals).toHaveLength(2);
      expect(line).not.toMatch(/secret/);
      const client = new EmulatorControlClient(ready.oauthUrl);
      expect((await client.health()).ok).toBe(true);
      expect((await client.portal(ready.portals[1]!.memberId)).deals).toBe(7);
      const page = await (await fetch(`${ready.portals[0]!.url}/oauth/authorize/?client_id=local.cli.1`)).text();
      expect(page).toContain("Allow");
      const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 20_000);
});
