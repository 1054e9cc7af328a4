import http from "node:http";
import type { AddressInfo } from "node:net";
import Fastify from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import {
  applyKeepAlive,
  closeKeptAliveOnClose,
  httpServerTimeouts,
  KEEP_ALIVE_TIMEOUT_MS,
  serverTimeouts,
} from "./serviceLimits.js";

// The server half of the keep-alive race: clients reuse a socket until the server's hint minus ~1 s, so the
// server's idle timeout must sit far above the gaps between our requests (Node's default 5 s did not, under load).
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function fastifyService(): Promise<{ url: string; connections: () => number }> {
  const app = Fastify({ logger: false, ...serverTimeouts() });
  app.get("/", async () => ({ ok: true }));
  await app.listen({ port: 0, host: "127.0.0.1" });
  let n = 0;
  app.server.on("connection", () => n++);
  closers.push(() => app.close());
  return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/`, connections: () => n };
}

describe("services keep idle sockets open well past clients' reuse window", () => {
  it("a fastify service announces and applies the shared keep-alive timeout (not Node's 5 s)", async () => {
    const s = await fastifyService();
    const res = await fetch(s.url);
    await res.arrayBuffer();
    expect(res.headers.get("keep-alive")).toBe(`timeout=${KEEP_ALIVE_TIMEOUT_MS / 1000}`);
    expect(KEEP_ALIVE_TIMEOUT_MS).toBeGreaterThanOrEqual(60_000);
  });

  it("a plain node:http service (the local DA server's kind) gets the same", async () => {
    const server = http.createServer(httpServerTimeouts(), (_q, res) => res.end("ok"));
    applyKeepAlive(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    closers.push(() => new Promise((r) => server.close(r)));
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await res.text();
    expect(res.headers.get("keep-alive")).toBe(`timeout=${KEEP_ALIVE_TIMEOUT_MS / 1000}`);
    expect(server.headersTimeout).toBeLessThanOrEqual(server.requestTimeout);
  });

  it("a request after 5.5 s idle (past Node's default) goes out on the same kept-alive connection", async () => {
    const s = await fastifyService();
    await (await fetch(s.url)).arrayBuffer();
    await new Promise((r) => setTimeout(r, 5_500));
    expect((await fetch(s.url)).status).toBe(200);
    expect(s.connections()).toBe(1);
  }, 20_000);
});

describe("closing a service does not wait out kept-alive connections", () => {
  it("a response the client already has but the server has not finished does not hold close() for the keep-alive", async () => {
    const app = Fastify({ logger: false, ...serverTimeouts() });
    closeKeptAliveOnClose(app);
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    // A streamed body (a storage node's chunk GET): every byte is sent, the response's end comes a moment later.
    app.get("/streamed", (_req, reply) => {
      reply.hijack();
      reply.raw.writeHead(200, { "content-type": "text/plain", "content-length": "2" });
      reply.raw.write("ok");
      void gate.then(() => reply.raw.end());
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const res = await fetch(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/streamed`);
    expect(await res.text()).toBe("ok");
    // The connection is still busy when close() starts, so closing the idle ones once (fastify's default) misses it;
    // answered with keep-alive, it then sat idle for the 65 s timeout and close() waited for it.
    const closed = app.close().then(() => "closed");
    await new Promise((r) => setTimeout(r, 20));
    release();
    const outcome = await Promise.race([closed, new Promise((r) => setTimeout(() => r("still waiting"), 10_000))]);
    expect(outcome).toBe("closed");
  }, 20_000);
});
