/**
 * @module Attacks on a storage node, each against a real `dsdn-node storage` process: unticketed and
 * mis-ticketed PUTs, quota abuse, 20 stalled PUTs, request floods, a full disk (injected ENOSPC and a real
 * 2 MiB tmpfs), capacity, and range reads that re-hash whole chunks. Needs `npm run build` first.
 */
import { execFileSync } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { verifyAck } from "../../../node-agent/storage/ack.js";
import { decodeTicket, TICKET_HEADER } from "../../../node-agent/storage/ticket.js";
import {
  enospcPreload,
  health,
  killAll,
  put,
  randomChunk,
  rawPut,
  readChars,
  startStorageNode,
  testCoordinator,
  tmpFiles,
  waitFor,
} from "./support/storageNode.js";

const root = mkdtempSync(join(tmpdir(), "dsdn-adv-storage-"));
const mounts: string[] = [];
afterAll(async () => {
  await killAll();
  for (const m of mounts) {
    try {
      execFileSync("umount", [m]);
    } catch {
      execFileSync("umount", ["-l", m]);
    }
  }
  rmSync(root, { recursive: true, force: true });
});

const KiB = 1024;
const MiB = 1024 * 1024;
let dirs = 0;
const dataDir = () => join(root, `n${dirs++}`);

describe("PUT needs a coordinator-signed ticket", () => {
  it("refuses a PUT without a ticket, and with a ticket for another node, CID, size, signer or time", async () => {
    const coord = testCoordinator();
    const other = testCoordinator();
    const node = await startStorageNode(dataDir(), ["--coordinator-key", coord.publicKey]);
    const { bytes, cid } = randomChunk(64 * KiB);
    const b = randomChunk(64 * KiB);

    const none = await put(node.url, cid, bytes);
    expect(none.status).toBe(401);
    expect(none.body.error.message).toMatch(/placement ticket/);

    const attempts: [string, string][] = [
      ["another node", coord.ticket("ab".repeat(32), cid, bytes.length)],
      ["another CID", coord.ticket(node.nodeId, b.cid, bytes.length)],
      ["an untrusted signer", other.ticket(node.nodeId, cid, bytes.length)],
      ["an expired ticket", coord.ticket(node.nodeId, cid, bytes.length, { expiresAtMs: Date.now() - 1 })],
    ];
    for (const [what, ticket] of attempts) {
      const r = await put(node.url, cid, bytes, ticket);
      expect(r.status, what).toBe(403);
      expect(r.body.error.code, what).toBe("DSDN_UNAUTHORIZED");
    }
    const wrongSize = await put(node.url, cid, bytes, coord.ticket(node.nodeId, cid, bytes.length - 1));
    expect(wrongSize.status).toBe(400);
    expect((await fetch(`${node.url}/chunks/${cid}`, { method: "HEAD" })).status).toBe(404);
    expect(tmpFiles(node.data)).toEqual([]);

    // Honest: the right ticket stores the chunk, and the ack names that ticket and its expiry.
    const ticket = coord.ticket(node.nodeId, cid, bytes.length);
    const ok = await put(node.url, cid, bytes, ticket);
    expect(ok.status).toBe(201);
    const ack = verifyAck(Buffer.from(ok.body.ack, "base64"));
    const t = decodeTicket(ticket);
    expect(Buffer.from(ack!.ticketId).equals(Buffer.from(t.id))).toBe(true);
    expect(ack!.ticketExpiresAtMs).toBe(BigInt(t.expiresAtMs));
    // Useful to a coordinator until the ticket expires, useless after.
    expect(verifyAck(Buffer.from(ok.body.ack, "base64"), { ticketValidAtMs: Date.now() })).not.toBeNull();
    expect(verifyAck(Buffer.from(ok.body.ack, "base64"), { ticketValidAtMs: t.expiresAtMs })).toBeNull();
    await node.stop();
  });

  it("charges bytes to the ticket's uploader: over its quota is 429, other uploaders are unaffected", async () => {
    const coord = testCoordinator();
    const node = await startStorageNode(dataDir(), [
      "--coordinator-key",
      coord.publicKey,
      "--quota",
      "300KiB",
      "--quota-window-ms",
      "600000",
    ]);
    const send = (uploader: string) => {
      const { bytes, cid } = randomChunk(128 * KiB);
      return put(node.url, cid, bytes, coord.ticket(node.nodeId, cid, bytes.length, { uploader }));
    };
    expect((await send("nusa1mallory")).status).toBe(201);
    expect((await send("nusa1mallory")).status).toBe(201);
    const over = await send("nusa1mallory");
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe("DSDN_RATE_LIMITED");
    expect(over.body.error.message).toMatch(/nusa1mallory/);
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await send("nusa1alice")).status).toBe(201);
    await node.stop();
  });
});

describe("bounded and timed", () => {
  it("20 PUTs that send headers and one byte hold no temp file, are capped, and are cut off", async () => {
    const coord = testCoordinator();
    const node = await startStorageNode(dataDir(), ["--coordinator-key", coord.publicKey]);
    const size = 2 * MiB;
    const puts = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const { cid } = randomChunk(32);
        const p = await rawPut(node.url, cid, size, { [TICKET_HEADER]: coord.ticket(node.nodeId, cid, size) });
        p.send(Buffer.from([7]));
        return p;
      }),
    );
    // The node has taken them in once it reports them in progress (or, without that report, holds files for them).
    await waitFor(
      async () => tmpFiles(node.data).length > 0 || (await health(node.url)).uploadsInProgress === 16,
      20_000,
      "the node to take the uploads in",
    );
    // One body byte each: no temp file is opened for them.
    expect(tmpFiles(node.data)).toEqual([]);
    // The cap: 16 uploads at once; the other 4 are told to come back later and their connections closed.
    expect((await health(node.url)).uploadsInProgress).toBe(16);
    await waitFor(() => puts.filter((p) => p.response().startsWith("HTTP/1.1 503")).length === 4, 20_000, "4 × 503");
    for (const p of puts.filter((p) => p.response().startsWith("HTTP/1.1 503"))) {
      expect(p.response()).toMatch(/DSDN_UNAVAILABLE/);
      expect(p.response().toLowerCase()).toMatch(/retry-after: 1/);
    }
    // The idle timeout (30 s by default) closes every stalled connection; nothing is left behind.
    await waitFor(
      async () => {
        const open = puts.filter((p) => !p.socket.closed).length;
        return open === 0;
      },
      60_000,
      "the node to close all 20 stalled PUTs",
    );
    expect((await health(node.url)).uploadsInProgress).toBe(0);
    expect(tmpFiles(node.data)).toEqual([]);
    // Honest traffic still works.
    const { bytes, cid } = randomChunk(100 * KiB);
    expect((await put(node.url, cid, bytes, coord.ticket(node.nodeId, cid, bytes.length))).status).toBe(201);
    expect(node.alive()).toBe(true);
    await node.stop();
  }, 120_000);

  it("a client that never finishes its headers is cut off by the headers timeout (10 s by default)", async () => {
    const coord = testCoordinator();
    const node = await startStorageNode(dataDir(), ["--coordinator-key", coord.publicKey]);
    const { connect } = await import("node:net");
    const u = new URL(node.url);
    const s = connect(Number(u.port), u.hostname);
    s.on("error", () => {});
    // Slowloris: a header line every 300 ms keeps the socket busy, so only the headers timeout can end it.
    s.write("PUT /chunks/x HTTP/1.1\r\nHost: a\r\n");
    const drip = setInterval(() => s.write("X-Pad: 1\r\n"), 300);
    try {
      await waitFor(() => s.closed, 25_000, "the headers timeout to close the connection");
    } finally {
      clearInterval(drip);
      s.destroy();
    }
    expect((await health(node.url)).status).toBe("ok");
    await node.stop();
  }, 60_000);

  it("rate limit (429) and load shedding (503) answer with clear errors", async () => {
    const coord = testCoordinator();
    const limited = await startStorageNode(dataDir(), [
      "--coordinator-key",
      coord.publicKey,
      "--rate-limit",
      "5",
      "--rate-window-ms",
      "600000",
    ]);
    const statuses: number[] = [];
    let last: any;
    for (let i = 0; i < 7; i++) {
      const r = await fetch(`${limited.url}/health`);
      statuses.push(r.status);
      last = { body: await r.json(), retry: r.headers.get("retry-after") };
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(last.body.error.code).toBe("DSDN_RATE_LIMITED");
    expect(last.body.error.message).toMatch(/rate limit/);
    expect(Number(last.retry)).toBeGreaterThan(0);
    await limited.stop();

    const pressed = await startStorageNode(dataDir(), ["--coordinator-key", coord.publicKey, "--max-heap-bytes", "1"]);
    const r = await waitFor(
      async () => {
        const res = await fetch(`${pressed.url}/health`);
        return res.status === 503 && res;
      },
      10_000,
      "the node to shed load",
    );
    expect(((await r.json()) as any).error).toMatchObject({
      code: "DSDN_UNAVAILABLE",
      message: expect.stringMatching(/overloaded/),
    });
    await pressed.stop();
  });
});

describe("a full disk does not kill the node", () => {
  it("injected ENOSPC mid-body: 507 with a clear error, reads continue, /health says writes are refused", async () => {
    const coord = testCoordinator();
    const flag = join(root, "enospc-flag");
    const node = await startStorageNode(dataDir(), ["--coordinator-key", coord.publicKey], {
      nodeFlags: ["--import", enospcPreload],
      env: { DSDN_FAULT_ENOSPC_FLAG: flag },
    });
    const kept = randomChunk(200 * KiB);
    expect(
      (await put(node.url, kept.cid, kept.bytes, coord.ticket(node.nodeId, kept.cid, kept.bytes.length))).status,
    ).toBe(201);

    writeFileSync(flag, "");
    const big = randomChunk(3 * MiB);
    const p = await rawPut(node.url, big.cid, big.bytes.length, {
      [TICKET_HEADER]: coord.ticket(node.nodeId, big.cid, big.bytes.length),
    });
    // More than one write batch, then a pause: the failed write lands while the node waits for more bytes.
    p.send(big.bytes.subarray(0, 1536 * KiB));
    await new Promise((r) => setTimeout(r, 500));
    p.send(big.bytes.subarray(1536 * KiB));
    await waitFor(() => p.response().includes("\r\n\r\n") || !node.alive(), 15_000, "an answer to the PUT");
    expect(node.alive(), node.log()).toBe(true);
    expect(p.response()).toMatch(/^HTTP\/1.1 507/);
    expect(p.response()).toMatch(/DSDN_INSUFFICIENT_STORAGE/);
    expect(p.response()).toMatch(/disk is full/);

    const h = await health(node.url);
    expect(h.status).toBe("degraded");
    expect(h.acceptingWrites).toBe(false);
    expect(h.problems.join(" ")).toMatch(/disk full/);
    const got = await fetch(`${node.url}/chunks/${kept.cid}`);
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer()).equals(kept.bytes)).toBe(true);
    expect(tmpFiles(node.data)).toEqual([]);

    // Space again: the same chunk is accepted and health recovers.
    rmSync(flag);
    expect((await put(node.url, big.cid, big.bytes, coord.ticket(node.nodeId, big.cid, big.bytes.length))).status).toBe(
      201,
    );
    expect((await health(node.url)).status).toBe("ok");
    await node.stop();
  });

  it("a real 2 MiB tmpfs: filled mid-upload gives 507; a chunk that cannot fit is refused before writing", async (ctx) => {
    const mnt = join(root, "tmpfs");
    mkdirSync(mnt);
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt], { stdio: "pipe" });
    } catch (e) {
      console.warn(
        `skipping the tmpfs case: mounting a tmpfs is not possible here (${(e as Error).message.split("\n")[0]})`,
      );
      ctx.skip();
      return;
    }
    mounts.push(mnt);
    const coord = testCoordinator();
    const node = await startStorageNode(join(mnt, "data"), ["--coordinator-key", coord.publicKey]);
    const small = randomChunk(256 * KiB);
    expect(
      (await put(node.url, small.cid, small.bytes, coord.ticket(node.nodeId, small.cid, small.bytes.length))).status,
    ).toBe(201);

    // Fits when it starts; then something else fills the disk while the body is still arriving.
    const big = randomChunk(1280 * KiB);
    const p = await rawPut(node.url, big.cid, big.bytes.length, {
      [TICKET_HEADER]: coord.ticket(node.nodeId, big.cid, big.bytes.length),
    });
    p.send(big.bytes.subarray(0, 100 * KiB));
    await waitFor(
      async () => tmpFiles(node.data).length > 0 || (await health(node.url)).uploadsInProgress === 1,
      10_000,
      "the upload to start",
    );
    const filler = join(mnt, "filler");
    const fd = openSync(filler, "w");
    try {
      for (;;) writeSync(fd, Buffer.alloc(64 * KiB, 1));
    } catch (e) {
      expect((e as { code?: string }).code).toBe("ENOSPC");
    } finally {
      closeSync(fd);
    }
    p.send(big.bytes.subarray(100 * KiB));
    await waitFor(() => p.response().includes("\r\n\r\n") || !node.alive(), 15_000, "an answer to the PUT");
    expect(node.alive(), node.log()).toBe(true);
    expect(p.response()).toMatch(/^HTTP\/1.1 507/);
    expect(p.response()).toMatch(/DSDN_INSUFFICIENT_STORAGE/);
    const h = await health(node.url);
    expect(h).toMatchObject({ status: "degraded", acceptingWrites: false });
    const got = await fetch(`${node.url}/chunks/${small.cid}`);
    expect(Buffer.from(await got.arrayBuffer()).equals(small.bytes)).toBe(true);

    // Before the disk fills: a chunk larger than the free space is refused without writing a byte.
    rmSync(filler);
    const tooBig = randomChunk(1900 * KiB);
    const r = await put(node.url, tooBig.cid, tooBig.bytes, coord.ticket(node.nodeId, tooBig.cid, tooBig.bytes.length));
    expect(r.status).toBe(507);
    expect(r.body.error.message).toMatch(/bytes free/);
    expect(tmpFiles(node.data)).toEqual([]);
    // And what fits is stored.
    expect((await put(node.url, big.cid, big.bytes, coord.ticket(node.nodeId, big.cid, big.bytes.length))).status).toBe(
      201,
    );
    await node.stop();
  });

  it("--capacity refuses a chunk that would exceed it, before any byte is written", async () => {
    const coord = testCoordinator();
    const node = await startStorageNode(dataDir(), ["--coordinator-key", coord.publicKey, "--capacity", "1MiB"]);
    const a = randomChunk(700 * KiB);
    expect((await put(node.url, a.cid, a.bytes, coord.ticket(node.nodeId, a.cid, a.bytes.length))).status).toBe(201);
    const b = randomChunk(400 * KiB);
    const r = await put(node.url, b.cid, b.bytes, coord.ticket(node.nodeId, b.cid, b.bytes.length));
    expect(r.status).toBe(507);
    expect(r.body.error).toMatchObject({
      code: "DSDN_INSUFFICIENT_STORAGE",
      message: expect.stringMatching(/capacity/),
    });
    expect((await fetch(`${node.url}/chunks/${b.cid}`, { method: "HEAD" })).status).toBe(404);
    const c = randomChunk(324 * KiB); // exactly fills the 1 MiB
    expect((await put(node.url, c.cid, c.bytes, coord.ticket(node.nodeId, c.cid, c.bytes.length))).status).toBe(201);
    expect((await health(node.url)).acceptingWrites).toBe(false);
    await node.stop();
  });
});

describe("range reads", () => {
  it("a 1-byte range of a verified chunk does not re-read it; unknown units are ignored; changes are caught", async () => {
    const coord = testCoordinator();
    const node = await startStorageNode(dataDir(), ["--coordinator-key", coord.publicKey]);
    const { bytes, cid } = randomChunk(8 * MiB);
    expect((await put(node.url, cid, bytes, coord.ticket(node.nodeId, cid, bytes.length))).status).toBe(201);
    const whole = await fetch(`${node.url}/chunks/${cid}`);
    expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);

    const pid = node.proc.pid!;
    const before = readChars(pid);
    for (let i = 0; i < 4; i++) {
      const r = await fetch(`${node.url}/chunks/${cid}`, { headers: { range: `bytes=${1000 + i}-${1000 + i}` } });
      expect(r.status).toBe(206);
      expect(Buffer.from(await r.arrayBuffer())[0]).toBe(bytes[1000 + i]);
    }
    // Four 1-byte ranges: a few KiB of requests and reads, not 4 × 8 MiB of re-hashing.
    expect(readChars(pid) - before).toBeLessThan(1 * MiB);

    const unknown = await fetch(`${node.url}/chunks/${cid}`, { headers: { range: "items=0-1" } });
    expect(unknown.status).toBe(200);
    expect(Number(unknown.headers.get("content-length"))).toBe(bytes.length);
    await unknown.arrayBuffer();

    // The file changes on disk: its stamp no longer matches, so the next range read re-verifies and refuses.
    const path = join(node.data, "objects", cid.slice(-2), cid);
    const fd = openSync(path, "r+");
    writeSync(fd, Buffer.from([bytes[5]! ^ 0xff]), 0, 1, 5);
    closeSync(fd);
    const bad = await fetch(`${node.url}/chunks/${cid}`, { headers: { range: "bytes=5-5" } });
    expect(bad.status).toBe(500);
    expect(((await bad.json()) as any).error.code).toBe("DSDN_INTEGRITY");
    expect((await fetch(`${node.url}/chunks/${cid}`, { method: "HEAD" })).status).toBe(404);
    await node.stop();
  });

  it("background scrubbing finds a rotten chunk nobody reads", async () => {
    const coord = testCoordinator();
    const node = await startStorageNode(dataDir(), ["--coordinator-key", coord.publicKey, "--scrub-pass-ms", "200"]);
    const { bytes, cid } = randomChunk(256 * KiB);
    expect((await put(node.url, cid, bytes, coord.ticket(node.nodeId, cid, bytes.length))).status).toBe(201);
    const path = join(node.data, "objects", cid.slice(-2), cid);
    const fd = openSync(path, "r+");
    writeSync(fd, Buffer.from([bytes[9]! ^ 1]), 0, 1, 9);
    closeSync(fd);
    await waitFor(
      () => /corrupt chunk .* quarantined/.test(node.log()),
      20_000,
      "the scrubber to quarantine the chunk",
    );
    expect(node.log()).toContain(cid);
    expect((await health(node.url)).chunks).toBe(0);
    await node.stop();
  });
});
