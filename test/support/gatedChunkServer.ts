/** @module A real chunk server on loopback whose chosen requests wait at a gate: tests count what a client keeps in flight. */
import { join } from "node:path";
import { loadOrCreateIdentity } from "../../node-agent/storage/identity.js";
import { LocalFsStorage } from "../../node-agent/storage/localfs.js";
import { createChunkServer } from "../../node-agent/storage/server.js";

export interface ChunkGate {
  /** Requests the filter matched so far (the test may reset it). */
  seen: number;
  /** From now on, matched requests wait until `open()`. */
  hold(): void;
  /** Lets every waiting and later matched request through. */
  open(): void;
}

export interface GatedChunkServer {
  readonly url: string;
  readonly gate: ChunkGate;
  close(): Promise<void>;
}

/** Starts an open-upload chunk server storing under `dir`; requests for which `gated(method, url)` is true pass the gate. */
export async function startGatedChunkServer(
  dir: string,
  gated: (method: string, url: string) => boolean,
): Promise<GatedChunkServer> {
  const server = createChunkServer({
    authority: "open",
    storage: await LocalFsStorage.open(join(dir, "node")),
    identity: await loadOrCreateIdentity(join(dir, "node")),
    zone: "a",
  });
  let held: Promise<void> | null = null;
  let release: () => void = () => {};
  const gate: ChunkGate = {
    seen: 0,
    hold() {
      held = new Promise<void>((ok) => {
        release = ok;
      });
    },
    open() {
      held = null;
      release();
    },
  };
  server.app.addHook("onRequest", async (req) => {
    if (!gated(req.method, req.url)) return;
    gate.seen++;
    if (held) await held;
  });
  const url = await server.app.listen({ port: 0, host: "127.0.0.1" });
  return {
    url,
    gate,
    async close() {
      gate.open();
      await server.app.close();
    },
  };
}
