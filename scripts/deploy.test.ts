import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, rmSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

/**
 * The deploy guide (docs/deploy.md) against the files it tells people to use: its command list names only services
 * compose.yaml has, in an order that works; compose.yaml builds only Dockerfile targets that exist; the app image runs
 * as a non-root user with a health check; no secret is baked into an image; every variable the app requires is in the
 * guide's table and in .env.example. This machine cannot pull images; where `docker compose` exists, it validates too.
 */
interface ComposeService {
  build?: { context: string; target: string };
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  env_file?: Array<{ path: string; required: boolean }>;
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
}
const guide = readFileSync("docs/deploy.md", "utf8");
const compose = parse(readFileSync("compose.yaml", "utf8")) as { services: Record<string, ComposeService> };
const dockerfile = readFileSync("Dockerfile", "utf8");
const envExample = readFileSync(".env.example", "utf8");
const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> };

const section = (title: string) => {
  const start = guide.indexOf(`## ${title}\n`);
  expect(start, title).toBeGreaterThanOrEqual(0);
  const rest = guide.slice(start + 1);
  const end = rest.search(/\n## /);
  return end < 0 ? rest : rest.slice(0, end);
};
const commands = (() => {
  const block = /```sh\n([\s\S]*?)```/.exec(section("Container host"))![1]!;
  return block.split("\n").map((l) => l.replace(/#.*$/, "").trim()).filter(Boolean);
})();
const stages = [...dockerfile.matchAll(/^FROM \S+ AS (\S+)$/gm)].map((m) => m[1]!);

describe("deploy guide, compose file and Dockerfile agree", () => {
  it("the guide's command list uses only compose's services, migrates before the app and worker start", () => {
    const services = Object.keys(compose.services);
    expect(services.sort()).toEqual(["app", "migrate", "postgres", "worker"]);
    const named = commands.filter((c) => c.startsWith("docker compose")).flatMap((c) => c.split(/\s+/).slice(2).filter((w) => services.includes(w)));
    expect(new Set(named)).toEqual(new Set(services));
    const at = (re: RegExp) => commands.findIndex((c) => re.test(c));
    expect(at(/^cp \.env\.example \.env$/)).toBe(0);
    expect(at(/^docker compose build$/)).toBeLessThan(at(/up -d postgres$/));
    expect(at(/up -d postgres$/)).toBeLessThan(at(/run --rm migrate$/));
    expect(at(/run --rm migrate$/)).toBeLessThan(at(/up -d app worker$/));
  });

  it("compose builds existing Dockerfile targets and runs npm scripts that exist; app and worker wait for the migration", () => {
    const { app, worker, migrate, postgres } = compose.services;
    for (const s of [app, worker, migrate]) expect(stages).toContain(s!.build!.target);
    expect(stages.at(-1)).toBe("app");
    expect(app!.build!.target).toBe("app");
    for (const s of [worker, migrate]) {
      const [npm, run, script] = s!.command!;
      expect([npm, run]).toEqual(["npm", "run"]);
      expect(pkg.scripts[script!], script).toBeTruthy();
    }
    expect(migrate!.command).toEqual(["npm", "run", "db:migrate"]);
    expect(worker!.command).toEqual(["npm", "run", "worker"]);
    expect(migrate!.depends_on).toEqual({ postgres: { condition: "service_healthy" } });
    for (const s of [app, worker]) expect(s!.depends_on).toEqual({ migrate: { condition: "service_completed_successfully" } });
    for (const s of [app, worker, migrate]) {
      expect(s!.env_file).toEqual([{ path: ".env", required: true }]);
      expect(s!.environment!.DATABASE_URL).toMatch(/^postgresql:\/\/b24:\$\{POSTGRES_PASSWORD[^}]*\}@postgres:5432\/b24$/);
      expect(s!.environment!.B24_WORKER_MODE).toBe("separate");
    }
    expect(postgres!.image).toMatch(/^postgres:\d+$/);
    expect(envExample).toMatch(/^# POSTGRES_PASSWORD=$/m);
  });

  it("the app image is the standalone server, non-root, with a health check on /api/health and no secret baked in", () => {
    expect(dockerfile).toMatch(/^RUN DATABASE_URL=postgresql:\/\/\S+ BUILD_STANDALONE=1 node scripts\/build\.mjs$/m);
    const appStage = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
    expect(appStage).toMatch(/COPY --from=build --chown=node:node \/app\/\.next\/standalone \.\//);
    expect(appStage).toMatch(/^USER node$/m);
    expect(appStage).toMatch(/^HEALTHCHECK [\s\S]*\/api\/health/m);
    expect(appStage).toMatch(/^CMD \["node", "server\.js"\]$/m);
    expect(appStage).not.toMatch(/node_modules\s/);
    for (const secret of ["NEXTAUTH_SECRET", "B24_CLIENT_SECRET", "TOKEN_ENCRYPTION_KEYS", "POSTGRES_PASSWORD", "B24_CLIENT_ID"]) {
      expect(dockerfile, secret).not.toMatch(new RegExp(`^(ARG|ENV)\\b.*${secret}`, "m"));
    }
    const ignored = readFileSync(".dockerignore", "utf8").split("\n");
    for (const p of [".env", "node_modules", ".next", "data"]) expect(ignored).toContain(p);
  });

  it("every variable the app requires is in the guide's table and in .env.example", () => {
    const table = guide.slice(0, guide.indexOf("## Container host"));
    for (const name of ["NEXTAUTH_URL", "NEXTAUTH_SECRET", "TOKEN_ENCRYPTION_KEYS", "B24_CLIENT_ID", "B24_CLIENT_SECRET", "DATABASE_URL", "B24_WORKER_MODE"]) {
      expect(table, name).toContain(`\`${name}`);
      expect(envExample, name).toMatch(new RegExp(`^#? ?${name}=`, "m"));
    }
  });

  const composeCli = (() => {
    try {
      execFileSync("docker", ["compose", "version"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  })();
  it.runIf(composeCli)("docker compose config accepts the file", () => {
    // The services require .env; a clone without one gets .env.example's copy for the check only.
    const made = !existsSync(".env");
    if (made) copyFileSync(".env.example", ".env");
    try {
      execFileSync("docker", ["compose", "config", "--quiet"], { env: { ...process.env, POSTGRES_PASSWORD: "check-only" } });
    } finally {
      if (made) rmSync(".env");
    }
  });
});
