/** @module A loopback HTTP server that closes a kept-alive socket when a second request arrives on it, before any answer: the keep-alive race, every time. */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface StaleSocketServer {
  readonly url: string;
  /** Requests that reached the server (dropped ones included), in order, with their bodies. */
  readonly requests: { method: string; path: string; body: string; dropped: boolean }[];
  /** TCP connections accepted. */
  connections(): number;
  close(): Promise<void>;
}

/**
 * Answers the first request of each connection with `answer` (keep-alive on) and destroys the socket on the next
 * one, exactly what a server whose keepAliveTimeout fires as the reused socket's request lands does.
 */
export async function staleSocketServer(
  answer: (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void = (_q, _b, res) =>
    res.end(JSON.stringify({ ok: true })),
): Promise<StaleSocketServer> {
  const served = new WeakMap<object, number>();
  const requests: StaleSocketServer["requests"] = [];
  let connections = 0;
  const server = http.createServer((req, res) => {
    const n = (served.get(req.socket) ?? 0) + 1;
    served.set(req.socket, n);
    const parts: Buffer[] = [];
    req.on("data", (p: Buffer) => parts.push(p));
    req.on("end", () => {
      const body = Buffer.concat(parts).toString("utf8");
      requests.push({ method: req.method ?? "", path: req.url ?? "", body, dropped: n > 1 });
      if (n > 1) req.socket.destroy();
      else answer(req, body, res);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.on("connection", () => connections++);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    connections: () => connections,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
