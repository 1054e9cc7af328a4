import { afterEach, describe, expect, it } from "vitest";
import { type StaleSocketServer, staleSocketServer } from "../../test/support/staleSocketServer.js";
import { fetchRetryingStale, isStaleSocketError } from "./staleSocket.js";

let srv: StaleSocketServer | undefined;
/** Reads the body, so the socket goes back to the pool and the next request reuses it. */
async function status(res: Promise<Response>): Promise<number> {
  const r = await res;
  await r.arrayBuffer();
  // undici puts the socket back once the body's end has been processed: one turn of the loop later.
  await new Promise((done) => setImmediate(done));
  return r.status;
}
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

describe("the keep-alive race: a reused socket the server closes before answering", () => {
  it("plain fetch fails on the reused socket with 'other side closed' (the symptom)", async () => {
    srv = await staleSocketServer();
    expect(await status(fetch(`${srv.url}/a`))).toBe(200);
    const err = await fetch(`${srv.url}/b`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeDefined();
    expect(isStaleSocketError(err)).toBe(true);
    expect(srv.requests.map((r) => r.dropped)).toEqual([false, true]);
  });

  it("an idempotent GET is sent once more, on a new connection, and succeeds", async () => {
    srv = await staleSocketServer();
    for (const p of ["/a", "/b"]) expect(await status(fetchRetryingStale(`${srv.url}${p}`))).toBe(200);
    expect(srv.requests.map((r) => `${r.path}${r.dropped ? " dropped" : ""}`)).toEqual(["/a", "/b dropped", "/b"]);
    expect(srv.connections()).toBe(2);
  });

  it("a POST is never repeated blindly: the server sees it once and the caller gets the socket error", async () => {
    srv = await staleSocketServer();
    const post = () => ({ method: "POST", body: "declare" });
    expect(await status(fetchRetryingStale(`${srv.url}/x`, post))).toBe(200);
    const err = await fetchRetryingStale(`${srv.url}/x`, post).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isStaleSocketError(err)).toBe(true);
    expect(srv.requests).toHaveLength(2);
  });

  it("a POST marked safe is re-built per attempt (a fresh signature) and sent once more", async () => {
    srv = await staleSocketServer();
    let n = 0;
    const signed = () => ({ method: "POST", body: `nonce-${n++}` });
    await status(fetchRetryingStale(`${srv.url}/t`, signed, { retry: true }));
    expect(await status(fetchRetryingStale(`${srv.url}/t`, signed, { retry: true }))).toBe(200);
    expect(srv.requests.map((r) => r.body)).toEqual(["nonce-0", "nonce-1", "nonce-2"]);
  });

  it("a refused connection, a timeout or an HTTP answer is not a stale socket", async () => {
    const refused = await fetch("http://127.0.0.1:1/").catch((e: unknown) => e);
    expect(isStaleSocketError(refused)).toBe(false);
    expect(isStaleSocketError(new DOMException("t", "TimeoutError"))).toBe(false);
    expect(isStaleSocketError(new Error("HTTP 500"))).toBe(false);
    expect(isStaleSocketError(Object.assign(new Error("x"), { cause: { code: "ECONNRESET" } }))).toBe(true);
  });
});
