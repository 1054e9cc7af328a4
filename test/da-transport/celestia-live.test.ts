/**
 * @module Integration suite against a real celestia-node light node (roadmap 14A.A1 mainnet tests).
 * Runs only when DSDN_CELESTIA_NODE_URL and DSDN_CELESTIA_AUTH_TOKEN are set; posting costs real TIA.
 */
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CelestiaDA } from "../../node-agent/da/celestia/celestiaDA.js";
import { namespaceFromName, parseNamespaceHex } from "../../node-agent/da/commitment/namespace.js";
import type { DAHeightBlobs } from "../../node-agent/da/types.js";
import { delay } from "./helpers.js";

const url = process.env.DSDN_CELESTIA_NODE_URL;
const token = process.env.DSDN_CELESTIA_AUTH_TOKEN;
const enabled = Boolean(url && token);
if (!enabled) {
  console.log(
    "celestia-live: skipped — set DSDN_CELESTIA_NODE_URL (e.g. http://127.0.0.1:26658) and DSDN_CELESTIA_AUTH_TOKEN " +
      "(celestia light auth write) to run against a real light node; DSDN_CELESTIA_NAMESPACE (58 hex) is optional. See docs/CELESTIA_SETUP.md.",
  );
}
const namespace = process.env.DSDN_CELESTIA_NAMESPACE
  ? parseNamespaceHex(process.env.DSDN_CELESTIA_NAMESPACE)
  : namespaceFromName("dsdn-live-integration-test");
// Inclusion takes 1–3 blocks (6 s each before app v9), plus tail latency.
const TIMEOUT = 180_000;

/** A TCP relay in front of the node that can cut every connection, to test reconnection. */
function relay(target: URL): Promise<{ url: string; cut: () => void; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 80), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({
        url: `http://127.0.0.1:${port}`,
        cut: () => {
          for (const s of sockets) s.destroy();
        },
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    }),
  );
}

describe.skipIf(!enabled)("celestia light node (live)", () => {
  let da: CelestiaDA;
  beforeAll(() => {
    da = new CelestiaDA({
      url: url as string,
      authToken: token as string,
      namespace,
      timeoutMs: 120_000,
      retryCount: 3,
    });
  });
  afterAll(async () => {
    await da?.close();
  });

  it(
    "connects and reports health",
    async () => {
      const info = await da.connect();
      console.log(`celestia-live: ${info.endpoint} network head ${info.networkHead}, local head ${info.localHead}`);
      const h = await da.health();
      console.log(`celestia-live: health ${h.status} (${h.detail}), probe ${h.latencyMs?.toFixed(0)} ms`);
      expect(["healthy", "warning"]).toContain(h.status);
    },
    TIMEOUT,
  );

  it(
    "posts a blob, reads it back verified, and reports the round trip",
    async () => {
      const data = new TextEncoder().encode(`dsdn live test ${new Date().toISOString()}`);
      const t0 = performance.now();
      const ref = await da.postBlob(data);
      const t1 = performance.now();
      expect(await da.getBlob(ref)).toEqual(data);
      const t2 = performance.now();
      const all = await da.getAll(ref.height);
      expect(all.blobs.some((b) => Buffer.from(b.data).equals(Buffer.from(data)))).toBe(true);
      console.log(
        `celestia-live: included at ${ref.height}; submit→inclusion ${(t1 - t0).toFixed(0)} ms, get ${(t2 - t1).toFixed(0)} ms`,
      );
    },
    TIMEOUT,
  );

  it(
    "subscribe delivers consecutive heights and our blob",
    async () => {
      const from = (await da.head()) + 1n;
      const ac = new AbortController();
      const heights: bigint[] = [];
      let seen = false;
      const marker = `dsdn live subscribe ${Date.now()}`;
      const follow = (async () => {
        for await (const h of da.subscribe({ fromHeight: from, signal: ac.signal })) {
          heights.push(h.height);
          if (h.blobs.some((b) => Buffer.from(b.data).toString() === marker)) {
            seen = true;
            ac.abort();
          }
        }
      })();
      await da.postBlob(new TextEncoder().encode(marker));
      await Promise.race([follow, delay(TIMEOUT - 10_000).then(() => ac.abort())]);
      expect(seen).toBe(true);
      expect(heights).toEqual(heights.map((_, i) => from + BigInt(i)));
    },
    TIMEOUT,
  );

  it(
    "reconnects after the connection is cut and leaves no gap",
    async () => {
      const r = await relay(new URL(url as string));
      const viaRelay = new CelestiaDA({
        url: r.url,
        authToken: token as string,
        namespace,
        retryDelayMs: 500,
        timeoutMs: 60_000,
      });
      try {
        const from = (await viaRelay.head()) + 1n;
        const ac = new AbortController();
        const got: DAHeightBlobs[] = [];
        const follow = (async () => {
          for await (const h of viaRelay.subscribe({ fromHeight: from, signal: ac.signal })) {
            got.push(h);
            if (got.length === 1) r.cut();
            if (got.length >= 4) ac.abort();
          }
        })();
        await Promise.race([follow, delay(TIMEOUT - 10_000).then(() => ac.abort())]);
        expect(got.length).toBeGreaterThanOrEqual(4);
        expect(got.map((h) => h.height)).toEqual(got.map((_, i) => from + BigInt(i)));
        expect(viaRelay.metrics().counters.reconnects).toBeGreaterThanOrEqual(1);
      } finally {
        await viaRelay.close();
        await r.close();
      }
    },
    TIMEOUT,
  );
});
