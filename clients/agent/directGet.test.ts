/** Attacks on the direct chunk reader: smuggled bytes, cut bodies, oversized heads and lengths, odd framing, aborts. */
import { createHash } from "node:crypto";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DirectGetter } from "./directGet.js";

// A hostile or sloppy server speaking raw bytes: each path picks how it frames (or breaks) its answer.
const body = Buffer.from("x".repeat(300_000));
let server: net.Server;
let origin: URL;
let connections = 0;
const open = new Set<net.Socket>();

function answer(path: string, sock: net.Socket): void {
  const ok = (extra = "") => `HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n${extra}\r\n`;
  switch (path) {
    case "/ok":
      sock.write(ok());
      sock.write(body);
      break;
    case "/ok-close":
      sock.write(ok("connection: close\r\n"));
      sock.end(body);
      break;
    case "/trailing":
      // Bytes after the announced body, before any second request: a smuggled "response".
      sock.write(ok());
      sock.write(Buffer.concat([body, Buffer.from("HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nbad")]));
      break;
    case "/short":
      sock.write(ok());
      sock.end(body.subarray(0, 1000));
      break;
    case "/huge-head":
      sock.write(`HTTP/1.1 200 OK\r\nx-pad: ${"a".repeat(64 * 1024)}\r\n`);
      break;
    case "/too-big":
      sock.write("HTTP/1.1 200 OK\r\ncontent-length: 999999999\r\n\r\n");
      break;
    case "/chunked":
      sock.write("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
      break;
    case "/missing":
      sock.write('HTTP/1.1 404 Not Found\r\ncontent-length: 11\r\ncontent-type: application/json\r\n\r\n{"error":1}');
      break;
    case "/slow":
      sock.write(ok());
      sock.write(body.subarray(0, 10));
      break;
    default:
      sock.destroy();
  }
}

beforeAll(async () => {
  server = net.createServer((sock) => {
    connections++;
    open.add(sock);
    sock.on("close", () => open.delete(sock));
    let buf = "";
    sock.on("data", (d) => {
      buf += d.toString("latin1");
      for (let end = buf.indexOf("\r\n\r\n"); end >= 0; end = buf.indexOf("\r\n\r\n")) {
        const path = buf.slice(0, end).split(" ")[1]!;
        buf = buf.slice(end + 4);
        answer(path, sock);
      }
    });
    sock.on("error", () => {});
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  origin = new URL(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`);
});
afterAll(async () => {
  // Every getter was closed: the client must have left no connection open behind it. Waited for (the server sees
  // each close a moment later; a loaded machine can run a fixed 100 ms timer first): the getter has no idle
  // timeout, so a leaked socket stays open for good and still fails this.
  await vi.waitFor(() => expect(open.size).toBe(0), { timeout: 10_000, interval: 20 }).catch(() => {});
  const left = open.size;
  for (const s of open) s.destroy();
  await new Promise<void>((ok) => server.close(() => ok()));
  expect(left).toBe(0);
});

const sig = () => AbortSignal.timeout(10_000);
const sha = (b: Uint8Array) => new Uint8Array(createHash("sha256").update(b).digest());

describe("DirectGetter", () => {
  it("reads a body into the supplied buffer, hashed as it arrived, and reuses the connection", async () => {
    const g = new DirectGetter(origin);
    const before = connections;
    let given: Buffer | undefined;
    const r = await g.get("/ok", sig(), 1 << 20, (n) => (given = Buffer.alloc(n)));
    expect(r?.status).toBe(200);
    expect(r?.body).toBe(given);
    expect(r?.body.equals(body)).toBe(true);
    expect(r?.sha256).toEqual(sha(body));
    await new Promise((r) => setImmediate(r)); // connections are pooled one turn after their response
    const again = await g.get("/ok", sig(), 1 << 20);
    expect(again?.body.equals(body)).toBe(true);
    expect(connections - before).toBe(1);
    g.close();
  });

  it("does not reuse a connection whose server sent bytes past the announced body", async () => {
    const g = new DirectGetter(origin);
    const r = await g.get("/trailing", sig(), 1 << 20);
    expect(r?.body.equals(body)).toBe(true);
    // The smuggled bytes must never be taken as the answer to the next request.
    const next = await g.get("/ok", sig(), 1 << 20);
    expect(next?.body.equals(body)).toBe(true);
    expect(next?.sha256).toEqual(sha(body));
    g.close();
  });

  it("refuses a body cut short, a head over 16 KiB and a length over the limit", async () => {
    const g = new DirectGetter(origin);
    await expect(g.get("/short", sig(), 1 << 20)).rejects.toThrow(/cut it short/);
    await expect(g.get("/huge-head", sig(), 1 << 20)).rejects.toThrow(/head exceeds/);
    await expect(g.get("/too-big", sig(), 1 << 20)).rejects.toThrow(/exceeds the expected maximum/);
    g.close();
  });

  it("leaves chunked framing to the general client, and reads error bodies whole without hashing", async () => {
    const g = new DirectGetter(origin);
    expect(await g.get("/chunked", sig(), 1 << 20)).toBeNull();
    const r = await g.get("/missing", sig(), 1 << 20);
    expect(r?.status).toBe(404);
    expect(r?.body.toString()).toBe('{"error":1}');
    expect(r?.sha256).toBeUndefined();
    g.close();
  });

  it("stops on abort mid-body and asks again on a fresh connection after the server closed an idle one", async () => {
    const g = new DirectGetter(origin);
    const ac = new AbortController();
    const p = g.get("/slow", ac.signal, 1 << 20);
    setTimeout(() => ac.abort(new Error("stop")), 50);
    await expect(p).rejects.toThrow("stop");
    expect((await g.get("/ok-close", sig(), 1 << 20))?.body.equals(body)).toBe(true);
    expect((await g.get("/ok", sig(), 1 << 20))?.body.equals(body)).toBe(true);
    g.close();
  });
});
