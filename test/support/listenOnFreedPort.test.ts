// listenOnFreedPort: takes a port over once its holder lets go, and gives up with EADDRINUSE if it never does.

import type { AddressInfo } from "node:net";
import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { listenOnFreedPort } from "./listenOnFreedPort.js";

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) if (s.listening) await new Promise((r) => s.close(r));
});
const held = async () => {
  const s = createServer();
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return { s, port: (s.address() as AddressInfo).port };
};

describe("listenOnFreedPort", () => {
  it("binds once the holder releases the port (a plain listen would fail with EADDRINUSE)", async () => {
    const { s, port } = await held();
    const plain = createServer();
    const err = await new Promise<NodeJS.ErrnoException>((r) => plain.once("error", r).listen(port, "127.0.0.1"));
    expect(err.code).toBe("EADDRINUSE");
    const taker = createServer();
    servers.push(taker);
    const taken = listenOnFreedPort(taker, port);
    let done = false;
    void taken.then(() => {
      done = true;
    });
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 60));
    expect(done).toBe(false); // still held: still retrying
    await new Promise((r) => s.close(r));
    await taken;
    expect((taker.address() as AddressInfo).port).toBe(port);
  });

  it("gives up with EADDRINUSE when the port stays held", async () => {
    const { port } = await held();
    const taker = createServer();
    await expect(listenOnFreedPort(taker, port, 200)).rejects.toMatchObject({ code: "EADDRINUSE" });
    expect(taker.listening).toBe(false);
  });
});
