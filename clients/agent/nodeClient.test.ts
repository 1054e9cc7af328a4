import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cidForBytes } from "../../common/cid.js";
import { NodeClient } from "./nodeClient.js";

// A misbehaving node: serves the wrong bytes, cuts bodies short, fails transiently, acks without a signature.
let server: Server;
let url: string;
let flaky = 0;
const good = Buffer.from("the right bytes");
const cid = cidForBytes(good);
const shortCid = cidForBytes(Buffer.from("a body the node cuts short"));

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url?.startsWith("/chunks/") && req.method === "GET" && req.url.endsWith(cid)) {
      res.writeHead(200, { "content-length": good.length });
      res.end(Buffer.from("the wrong bytes"));
    } else if (req.url === `/chunks/${shortCid}`) {
      res.writeHead(200, { "content-length": 100 });
      res.write("only a bit");
      res.destroy();
    } else if (req.method === "HEAD") {
      flaky++;
      res.writeHead(flaky < 3 ? 503 : 404).end();
    } else if (req.method === "PUT") {
      req.resume();
      req.on("end", () =>
        res.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify({ ack: "AAAA" })),
      );
    } else res.writeHead(500).end();
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

describe("NodeClient against a misbehaving node", () => {
  it("refuses bytes that do not match the CID, without retrying", async () => {
    const c = new NodeClient(url, { retries: 3 });
    await expect(c.get(cid)).rejects.toMatchObject({ code: "DSDN_INTEGRITY" });
    c.close();
  });

  it("refuses a body cut short", async () => {
    const c = new NodeClient(url, { retries: 0 });
    await expect(c.get(shortCid)).rejects.toThrow(/before its announced length|aborted|socket hang up/);
    c.close();
  });

  it("retries transient 5xx answers and then succeeds", async () => {
    const c = new NodeClient(url, { retries: 3 });
    flaky = 0;
    expect(await c.has(cid)).toBe(false);
    expect(flaky).toBe(3);
    c.close();
  });

  it("refuses an acknowledgement without a valid node signature", async () => {
    const c = new NodeClient(url, { retries: 0 });
    await expect(c.put(cid, good)).rejects.toMatchObject({ code: "DSDN_INVALID_SIGNATURE" });
    c.close();
  });
});
