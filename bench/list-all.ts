import { B24OAuth } from "@bitrix24/b24jssdk";
import type { Emulator, EmulatorOptions } from "@/e2e/emulator";
import { APP, type Tokens } from "@/e2e/emulator/tests/helpers";
import { effective, take, type BucketState } from "@/lib/bitrix24/transport/bucket";
import { createB24Client } from "@/lib/bitrix24/transport/client";
import type { RateLimiter } from "@/lib/bitrix24/ports";
import { freshEmulator, memoryTokens, restCounts } from "./emu";

/**
 * List-all: every deal of a portal under Bitrix24's standard bucket (burst 50, 2/s, a batch counts once), read by our
 * `listAll` and by each list helper of @bitrix24/b24jssdk 2.2.0, each contender on a fresh emulator with the same
 * deterministic data set, so every one starts from an empty bucket.
 */
export const BUCKET = { burst: 50, perSec: 2 };
const ROWS_PER_PAGE = 50;
const PAGES_PER_BATCH = 50;

export interface ListRun {
  contender: string;
  deals: number;
  seconds: number;
  requests: number;
  queryLimitExceeded: number;
  operatingLimit: number;
  serverSeconds: number;
  rows: number;
  exactlyOnce: boolean;
  note?: string;
}

type Row = Record<string, unknown>;
type Lister = (emu: Emulator, tokens: Tokens) => Promise<Row[]>;

/** The same leaky-bucket arithmetic the app's DbRateLimiter uses, kept in memory (one process, one portal). */
function memoryLimiter(): RateLimiter {
  const params = effective(BUCKET);
  let state: BucketState = { level: 0, at: Date.now() };
  let queue = Promise.resolve();
  const takeOne = async (): Promise<void> => {
    for (;;) {
      const r = take(state, params, Date.now());
      if (r.ok) {
        state = r.next;
        return;
      }
      await new Promise((res) => setTimeout(res, r.waitMs));
    }
  };
  return {
    acquire: () => {
      const mine = queue.then(takeOne);
      queue = mine.catch(() => {});
      return mine;
    },
  };
}

const ours: Lister = async (emu, tokens) => {
  const client = createB24Client({ memberId: emu.portals[0]!.memberId, tokens: memoryTokens(emu, tokens), limiter: memoryLimiter() });
  const rows: Row[] = [];
  for await (const row of client.listAll<Row>("crm.deal.list", { select: ["ID", "TITLE"] })) rows.push(row);
  return rows;
};

/** Pointing the SDK at the emulator needs only its public options: the token response's endpoints go in as they are. */
function sdkFor(emu: Emulator, tokens: Tokens): B24OAuth {
  const b24 = new B24OAuth(
    {
      applicationToken: "",
      userId: 1,
      memberId: String(tokens.member_id),
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token,
      expires: Number(tokens.expires),
      expiresIn: Number(tokens.expires_in),
      scope: String(tokens.scope),
      domain: emu.portals[0]!.host,
      clientEndpoint: String(tokens.client_endpoint),
      serverEndpoint: String(tokens.server_endpoint),
      status: "L",
    },
    { clientId: APP.clientId, clientSecret: APP.clientSecret },
  );
  b24.offClientSideWarning();
  return b24;
}

const params = { select: ["ID", "TITLE"] };
const sdkHelpers: Record<string, Lister> = {
  "sdk callListMethod": async (emu, tokens) => {
    const res = await sdkFor(emu, tokens).callListMethod("crm.deal.list", params);
    if (!res.isSuccess) throw new Error(res.getErrorMessages().join("; "));
    return res.getData() as Row[];
  },
  "sdk fetchListMethod": async (emu, tokens) => {
    const rows: Row[] = [];
    for await (const chunk of sdkFor(emu, tokens).fetchListMethod("crm.deal.list", params, "ID")) rows.push(...(chunk as Row[]));
    return rows;
  },
  "sdk actions.v2.callList": async (emu, tokens) => {
    const res = await sdkFor(emu, tokens).actions.v2.callList.make<Row>({ method: "crm.deal.list", params, idKey: "ID" });
    if (!res.isSuccess) throw new Error(res.getErrorMessages().join("; "));
    return res.getData() ?? [];
  },
  "sdk actions.v2.fetchList": async (emu, tokens) => {
    const rows: Row[] = [];
    for await (const chunk of sdkFor(emu, tokens).actions.v2.fetchList.make<Row>({ method: "crm.deal.list", params, idKey: "ID" })) rows.push(...chunk);
    return rows;
  },
};

export async function runLister(contender: string, lister: Lister, deals: number, opts: Partial<EmulatorOptions> = {}): Promise<ListRun> {
  const { emu, tokens } = await freshEmulator({ portals: [{ deals }], ...opts });
  try {
    const started = performance.now();
    let rows: Row[] = [];
    let note: string | undefined;
    try {
      rows = await lister(emu, tokens);
    } catch (e) {
      note = `failed: ${e instanceof Error ? e.message : String(e)}`.slice(0, 120);
    }
    const seconds = (performance.now() - started) / 1000;
    const ids = rows.map((r) => Number(r.ID));
    const unique = new Set(ids);
    const exactlyOnce = ids.length === deals && unique.size === deals && ids.every((id) => id >= 1 && id <= deals);
    return { contender, deals, seconds, ...(await restCounts(emu)), rows: rows.length, exactlyOnce, ...(note ? { note } : {}) };
  } finally {
    await emu.stop();
  }
}

/** Fewest requests and seconds any client can need: 2,500 rows per batch, one more request to see the end. */
export function bucketMinimum(deals: number, rowsPerRequest = ROWS_PER_PAGE * PAGES_PER_BATCH): { requests: number; seconds: number } {
  const requests = Math.floor(deals / rowsPerRequest) + 1;
  return { requests, seconds: Math.max(0, requests - BUCKET.burst) / BUCKET.perSec };
}

export async function listAllBench(opts: { quick: boolean; sdk: boolean; onRun?: (r: ListRun) => void }): Promise<ListRun[]> {
  const runs: ListRun[] = [];
  const record = (r: ListRun) => (runs.push(r), opts.onRun?.(r));
  const small = opts.quick ? 1_000 : 10_000;
  record(await runLister("ours listAll", ours, small));
  if (opts.sdk) for (const [name, lister] of Object.entries(sdkHelpers)) record(await runLister(name, lister, small));
  record(await runLister("ours listAll", ours, opts.quick ? 5_000 : 100_000));
  return runs;
}

export { ours as oursLister };
