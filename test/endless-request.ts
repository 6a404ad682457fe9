/** A POST whose body never ends (16 KB per pull) and a count of the pulls, to prove a reader stops early. */
export function endlessRequest(contentType: string, fill = 0x61): { request: Request; pulled: () => number } {
  let pulls = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      pulls++;
      c.enqueue(new Uint8Array(16 * 1024).fill(fill));
    },
  });
  const request = new Request("http://127.0.0.1/", { method: "POST", body, headers: { "content-type": contentType }, duplex: "half" } as RequestInit);
  return { request, pulled: () => pulls };
}
