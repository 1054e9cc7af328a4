/** @module The wallet-connect page `dsdn dev` serves: a static page plus the localnet's Keplr chain info. */
import { readFileSync } from "node:fs";
import http from "node:http";
import { join } from "node:path";
import { projectRoot } from "../../common/paths.js";

const CSP = "default-src 'self'; connect-src *; style-src 'self' 'unsafe-inline'";

/** Serves `/` (the page), `/wallet.js` and `/chain-info.json` on loopback; anything else is 404. */
export async function serveWalletPage(
  chainInfoFile: string,
  port = 0,
): Promise<{ url: string; close(): Promise<void> }> {
  const dir = join(projectRoot(), "clients", "dsdn", "static");
  const files: Record<string, [string, Buffer]> = {
    "/": ["text/html; charset=utf-8", readFileSync(join(dir, "wallet.html"))],
    "/wallet.js": ["text/javascript; charset=utf-8", readFileSync(join(dir, "wallet.js"))],
  };
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    // The chain info is read on each request: a restarted localnet may have new ports.
    const hit =
      path === "/chain-info.json" ? (["application/json", readFileSync(chainInfoFile)] as const) : files[path];
    if (req.method !== "GET" || !hit) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ summary: `nothing at ${path.slice(0, 100)}; the page is at /` }));
      return;
    }
    res.writeHead(200, { "content-type": hit[0], "content-security-policy": CSP, "cache-control": "no-cache" });
    res.end(hit[1]);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const addr = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${addr.port}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
