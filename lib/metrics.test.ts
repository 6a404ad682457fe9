import { beforeEach, describe, expect, it, vi } from "vitest";

/** A fresh registry per test: the module keeps its state process-wide (lib/process-local.ts), so that entry goes too. */
async function fresh() {
  (globalThis as { __b24ProcessLocal?: Map<string, unknown> }).__b24ProcessLocal?.delete("metrics");
  vi.resetModules();
  return import("./metrics");
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * A strict reader of the exposition format: every sample belongs to a family declared by HELP then TYPE before it,
 * label values are quoted with only \\, \" and \n escaped, values are numbers, and the text ends with a newline.
 */
function parse(text: string): { types: Map<string, string>; samples: Sample[] } {
  expect(text.endsWith("\n")).toBe(true);
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const samples: Sample[] = [];
  for (const line of text.slice(0, -1).split("\n")) {
    const help = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (help) {
      helps.add(help[1]!);
      continue;
    }
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram)$/.exec(line);
    if (type) {
      expect(helps.has(type[1]!), `HELP before TYPE for ${type[1]}`).toBe(true);
      types.set(type[1]!, type[2]!);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|\+Inf)$/.exec(line);
    expect(m, `sample line: ${line}`).not.toBeNull();
    const labels: Record<string, string> = {};
    const rest = (m![2] ?? "").replace(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)",?/g, (_, k: string, v: string) => {
      labels[k] = v.replace(/\\(["\\n])/g, (_m, c: string) => (c === "n" ? "\n" : c));
      return "";
    });
    expect(rest, `label text of ${line}`).toBe("");
    const name = m![1]!;
    const family = name.replace(/_(bucket|sum|count)$/, "");
    expect(types.has(name) || types.get(family) === "histogram", `TYPE declared before ${name}`).toBe(true);
    samples.push({ name, labels, value: Number(m![3]) });
  }
  return { types, samples };
}

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

describe("metrics exposition", () => {
  let m: Awaited<ReturnType<typeof fresh>>;
  beforeEach(async () => {
    m = await fresh();
  });

  it("declares every family up front and renders parseable text with counters, the wait histogram and uptime", () => {
    const empty = parse(m.renderMetrics([], Date.now()));
    for (const name of ["b24_rest_calls_total", "b24_rest_retries_total", "b24_token_refreshes_total", "b24_event_deliveries_total"]) {
      expect(empty.types.get(name)).toBe("counter");
    }
    expect(empty.types.get("b24_limiter_wait_seconds")).toBe("histogram");
    expect(empty.types.get("process_uptime_seconds")).toBe("gauge");

    m.countRestCall(null);
    m.countRestCall(null);
    m.countRestCall("QUERY_LIMIT_EXCEEDED");
    m.countRetry("rate_limited");
    m.countTokenRefresh("ok");
    m.countEventDelivery("queued");
    m.countEventDelivery("refused");
    m.observeLimiterWait(0.001);
    m.observeLimiterWait(0.3);
    const gauges = [{ name: "b24_inbox_jobs", help: "Inbox jobs.", samples: [{ labels: { status: "pending" }, value: 3 }] }];
    const { types, samples } = parse(m.renderMetrics(gauges));
    expect(value(samples, "b24_rest_calls_total", { outcome: "ok", code: "none" })).toBe(2);
    expect(value(samples, "b24_rest_calls_total", { outcome: "error", code: "QUERY_LIMIT_EXCEEDED" })).toBe(1);
    expect(value(samples, "b24_rest_retries_total", { reason: "rate_limited" })).toBe(1);
    expect(value(samples, "b24_token_refreshes_total", { outcome: "ok" })).toBe(1);
    expect(value(samples, "b24_event_deliveries_total", { outcome: "refused" })).toBe(1);
    expect(types.get("b24_inbox_jobs")).toBe("gauge");
    expect(value(samples, "b24_inbox_jobs", { status: "pending" })).toBe(3);
    // Buckets are cumulative and +Inf equals the count.
    expect(value(samples, "b24_limiter_wait_seconds_bucket", { le: "0.005" })).toBe(1);
    expect(value(samples, "b24_limiter_wait_seconds_bucket", { le: "0.25" })).toBe(1);
    expect(value(samples, "b24_limiter_wait_seconds_bucket", { le: "1" })).toBe(2);
    expect(value(samples, "b24_limiter_wait_seconds_bucket", { le: "+Inf" })).toBe(2);
    expect(value(samples, "b24_limiter_wait_seconds_count")).toBe(2);
    expect(value(samples, "b24_limiter_wait_seconds_sum")).toBeCloseTo(0.301);
    expect(value(samples, "process_uptime_seconds")).toBeGreaterThanOrEqual(0);
  });

  it("escapes backslashes, quotes and newlines in label values so the text stays parseable", () => {
    expect(m.escapeLabel('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    const gauges = [{ name: "g", help: "Help with a \\ and a\nnewline.", samples: [{ labels: { v: 'x"y\\z\nw' }, value: 1 }] }];
    const text = m.renderMetrics(gauges);
    expect(text).toContain("# HELP g Help with a \\\\ and a\\nnewline.");
    expect(value(parse(text).samples, "g")).toBe(1);
    expect(parse(text).samples.find((s) => s.name === "g")?.labels.v).toBe('x"y\\z\nw');
  });

  it("keeps error-code shapes only: anything token-like or odd from a portal is counted as `other`", () => {
    expect(m.codeLabel("QUERY_LIMIT_EXCEEDED")).toBe("QUERY_LIMIT_EXCEEDED");
    expect(m.codeLabel("HTTP_503")).toBe("HTTP_503");
    expect(m.codeLabel("upstream_unavailable")).toBe("upstream_unavailable");
    expect(m.codeLabel(null)).toBe("none");
    for (const odd of ["a1b2c3d4e5f60718293a4b5c6d7e8f90", "Mixed_Case", 'x"}\n', "A".repeat(49), "member 42"]) expect(m.codeLabel(odd)).toBe("other");
  });

  it("bounds the series per metric: past MAX_SERIES new label sets fold into `other`", () => {
    for (let i = 0; i < m.MAX_SERIES + 20; i++) m.countRestCall(`CODE_${i}`);
    const calls = parse(m.renderMetrics()).samples.filter((s) => s.name === "b24_rest_calls_total");
    expect(calls.length).toBe(m.MAX_SERIES + 1);
    expect(value(calls, "b24_rest_calls_total", { outcome: "other", code: "other" })).toBe(20);
  });

  it("timedWait records a wait whether the slot is granted or refused", async () => {
    await m.timedWait(Promise.resolve());
    await expect(m.timedWait(Promise.reject(new Error("aborted")))).rejects.toThrow("aborted");
    expect(value(parse(m.renderMetrics()).samples, "b24_limiter_wait_seconds_count")).toBe(2);
  });
});
