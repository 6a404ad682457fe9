import type { Emulator, EmulatorOptions, LogEntry } from "@/e2e/emulator";
import { refresh, signIn, start, type Tokens } from "@/e2e/emulator/tests/helpers";
import { B24Error } from "@/lib/errors";
import type { RestCredentials, TokenSource } from "@/lib/bitrix24/ports";

/** A fresh emulator (Bitrix24's standard bucket unless told otherwise) with user 1 signed in on portal 0. */
export async function freshEmulator(opts: Partial<EmulatorOptions> = {}): Promise<{ emu: Emulator; tokens: Tokens }> {
  const emu = await start({ rateLimit: "standard", ...opts });
  try {
    const tokens = await signIn(emu);
    // The sign-in itself touched no REST bucket, but start every contender from an explicitly empty one.
    await emu.control.resetLimits();
    await emu.control.clearLog();
    return { emu, tokens };
  } catch (e) {
    await emu.stop();
    throw e;
  }
}

/** The TokenSource the client tests use: renew is the emulator's refresh grant. */
export function memoryTokens(emu: Emulator, initial: Tokens): TokenSource {
  let creds: RestCredentials = { clientEndpoint: String(initial.client_endpoint), accessToken: initial.access_token };
  let refreshToken = initial.refresh_token;
  return {
    current: async () => creds,
    renew: async (stale) => {
      if (stale.accessToken !== creds.accessToken) return creds;
      const res = await refresh(emu.oauthUrl, refreshToken);
      if (res.status !== 200) throw new B24Error("needs_reauth", "refresh failed");
      creds = { clientEndpoint: res.body.client_endpoint, accessToken: res.body.access_token };
      refreshToken = res.body.refresh_token;
      return creds;
    },
  };
}

export interface RestCounts {
  requests: number;
  queryLimitExceeded: number;
  operatingLimit: number;
  /** Time the emulator spent answering them (its in-memory filter and sort), summed. */
  serverSeconds: number;
}

/** HTTP requests the portal received on /rest/, and how many it refused for the bucket or the operating budget. */
export async function restCounts(emu: Emulator): Promise<RestCounts> {
  const log: LogEntry[] = (await emu.control.log()).filter((l) => l.server === "portal" && /^\/rest\//i.test(l.path));
  return {
    requests: log.length,
    // A batch answers 200 with sub-call errors, so 503s are counted by status and sub-call refusals by the text below.
    queryLimitExceeded: log.filter((l) => l.status === 503).length,
    operatingLimit: log.filter((l) => l.status === 429).length,
    serverSeconds: log.reduce((n, l) => n + l.durationMs, 0) / 1000,
  };
}
