/** Plain-text and Markdown tables from rows of cells; the first row is the header. */
export type Cell = string | number;

const fmt = (c: Cell): string => (typeof c === "number" ? (Number.isInteger(c) ? c.toLocaleString("en-US") : c.toFixed(2)) : c);

export function markdownTable(rows: Cell[][]): string {
  const [head = [], ...body] = rows.map((r) => r.map(fmt));
  const line = (r: string[]) => `| ${r.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...body.map(line)].join("\n");
}

export const secs = (s: number): string => (s < 10 ? `${s.toFixed(2)} s` : `${s.toFixed(1)} s`);
export const ms = (v: number): string => `${v.toFixed(2)} ms`;
export const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} kB`;
