/** @module Binds a test server on the port a just-killed process held, once the kernel has let go of it. */
import type { Server } from "node:net";

/**
 * Listens on 127.0.0.1:`port`, retrying on EADDRINUSE for up to `timeoutMs`: a SIGKILLed process frees its
 * listening socket only when it has fully exited, which a loaded machine can put off past any fixed pause.
 */
export async function listenOnFreedPort(server: Server, port: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const err = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      const onError = (e: NodeJS.ErrnoException) => resolve(e);
      server.once("error", onError);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", onError);
        resolve(undefined);
      });
    });
    if (!err) return;
    if (err.code !== "EADDRINUSE" || Date.now() > deadline) throw err;
    await new Promise((r) => setTimeout(r, 50));
  }
}
