/** @module In-process socket tests of the ABCI server: cross-connection ordering (consensus requests first), Flush, error mapping, bad input, reconnects. */

import { mkdtempSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DeepPartial } from "cosmjs-types/helpers";
import {
  Request,
  Response,
  ResponseApplySnapshotChunk_Result,
  ResponseOfferSnapshot_Result,
  ResponseProcessProposal_ProposalStatus,
  ResponseVerifyVoteExtension_VerifyStatus,
} from "cosmjs-types/tendermint/abci/types";
import { afterEach, describe, expect, it } from "vitest";
import { fromHex } from "../../common/hash.js";
import type { AbciApplication } from "./application.js";
import { encodeFrame, FrameDecoder } from "./framing.js";
import type { AbciLogger } from "./logger.js";
import { type AbciServer, parseListenAddress, startAbciServer } from "./server.js";

type PartialRequest = DeepPartial<Request>;

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}
function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Lets every pending I/O callback and microtask run, without relying on wall-clock time. */
async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A raw ABCI client: what CometBFT's socket client does, minus the Go. */
class TestClient {
  readonly responses: Response[] = [];
  closed = false;
  readonly #decoder = new FrameDecoder();
  private constructor(readonly socket: Socket) {
    socket.on("data", (chunk) => {
      for (const body of this.#decoder.push(chunk)) this.responses.push(Response.decode(body));
    });
    socket.on("close", () => {
      this.closed = true;
    });
    socket.on("error", () => {});
  }

  static open(address: string): Promise<TestClient> {
    const target = parseListenAddress(address);
    return new Promise((resolve, reject) => {
      const socket = target.kind === "unix" ? connect(target.path) : connect(target.port, target.host);
      socket.once("connect", () => resolve(new TestClient(socket)));
      socket.once("error", reject);
    });
  }

  /** Writes all requests in a single chunk (as CometBFT's buffered writer does). */
  send(...reqs: PartialRequest[]): void {
    const frames = reqs.map((r) => encodeFrame(Request.encode(Request.fromPartial(r)).finish()));
    this.socket.write(Buffer.concat(frames));
  }

  async waitFor(n: number): Promise<Response[]> {
    await until(() => this.responses.length >= n, `${n} responses`);
    return this.responses.slice(0, n);
  }
}

/** The response's oneof case, to check it matches the request. */
function caseOf(res: Response): string {
  const set = Object.entries(res).filter(([, v]) => v !== undefined);
  expect(set.length).toBe(1);
  return set[0]![0];
}

function recordingLogger(): AbciLogger & { lines: { level: string; message: string; fields?: unknown }[] } {
  const lines: { level: string; message: string; fields?: unknown }[] = [];
  const at = (level: string) => (message: string, fields?: unknown) => {
    lines.push({ level, message, fields });
  };
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** A minimal app whose every call is recorded; individual methods are overridden per test. */
function baseApp(events: string[], overrides: Partial<AbciApplication> = {}): AbciApplication {
  return {
    info: () => ({ lastBlockHeight: 7n, lastBlockAppHash: Uint8Array.of(1) }),
    initChain: () => ({}),
    query: (req) => {
      events.push(`query:${req.path}`);
      return { code: 0, value: new TextEncoder().encode(req.path), height: 7n };
    },
    checkTx: (req) => {
      events.push(`checkTx:${new TextDecoder().decode(req.tx)}`);
      return { code: 0 };
    },
    prepareProposal: (req) => ({ txs: req.txs }),
    processProposal: () => ({ status: ResponseProcessProposal_ProposalStatus.ACCEPT }),
    finalizeBlock: (req) => ({ txResults: req.txs.map(() => ({ code: 0 })), appHash: Uint8Array.of(2) }),
    commit: () => ({ retainHeight: 0n }),
    ...overrides,
  };
}

const tx = (s: string) => ({ checkTx: { tx: new TextEncoder().encode(s) } });

let servers: AbciServer[] = [];
let clients: TestClient[] = [];
async function start(app: AbciApplication, logger: AbciLogger = recordingLogger(), listen = "tcp://127.0.0.1:0") {
  const server = await startAbciServer(app, { listen, logger });
  servers.push(server);
  return server;
}
async function client(server: AbciServer): Promise<TestClient> {
  const c = await TestClient.open(server.address);
  clients.push(c);
  return c;
}

afterEach(async () => {
  for (const c of clients) c.socket.destroy();
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  clients = [];
});

describe("startAbciServer", () => {
  it("answers Echo and Flush itself and reports the real port", async () => {
    const server = await start(baseApp([]));
    expect(server.address).toMatch(/^tcp:\/\/127\.0\.0\.1:[1-9]\d*$/);
    const c = await client(server);
    c.send({ echo: { message: "hello" } }, { flush: {} });
    const [echo, flush] = await c.waitFor(2);
    expect(echo!.echo?.message).toBe("hello");
    expect(caseOf(flush!)).toBe("flush");
  });

  it("serves a unix socket and replaces a stale socket file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "abci-unix-"));
    try {
      const listen = `unix://${join(dir, "app.sock")}`;
      const first = await startAbciServer(baseApp([]), { listen, logger: recordingLogger() });
      expect(first.address).toBe(listen);
      await expect(startAbciServer(baseApp([]), { listen, logger: recordingLogger() })).rejects.toThrow(
        /already served/,
      );
      await first.close();
      const server = await start(baseApp([]), recordingLogger(), listen);
      const c = await client(server);
      c.send({ info: {} }, { flush: {} });
      const [info] = await c.waitFor(2);
      expect(info!.info?.lastBlockHeight).toBe(7n);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects malformed listen addresses with a clear error", async () => {
    await expect(startAbciServer(baseApp([]), { listen: "127.0.0.1:26658" })).rejects.toThrow(/tcp:\/\/HOST:PORT/);
    expect(() => parseListenAddress("tcp://127.0.0.1:70000")).toThrow(/out of range/);
    expect(parseListenAddress("tcp://[::1]:26658")).toEqual({ kind: "tcp", host: "::1", port: 26658 });
  });

  it("processes requests of all connections one at a time, in arrival order", async () => {
    const events: string[] = [];
    const gate = deferred();
    let running = 0;
    let maxRunning = 0;
    const app = baseApp(events, {
      checkTx: async (req) => {
        const name = new TextDecoder().decode(req.tx);
        running++;
        maxRunning = Math.max(maxRunning, running);
        events.push(`start:${name}`);
        if (name === "slow") await gate.promise;
        events.push(`end:${name}`);
        running--;
        return { code: 0, log: name };
      },
      query: async (req) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        events.push(`query:${req.path}`);
        running--;
        return { height: 1n, log: req.path };
      },
    });
    const server = await start(app);
    const mempool = await client(server);
    const query = await client(server);

    mempool.send(tx("slow"));
    await until(() => events.includes("start:slow"), "slow checkTx to start");
    query.send({ query: { path: "/q1" } }, { flush: {} });
    await settle();
    mempool.send(tx("after"), { flush: {} });
    await settle();
    // Nothing after the slow request may start, on either connection, and nothing is answered.
    expect(events).toEqual(["start:slow"]);
    expect(query.responses).toEqual([]);

    gate.resolve();
    const [q, qFlush] = await query.waitFor(2);
    const [slow, after, mFlush] = await mempool.waitFor(3);
    expect(events).toEqual(["start:slow", "end:slow", "query:/q1", "start:after", "end:after"]);
    expect(maxRunning).toBe(1);
    expect(q!.query?.log).toBe("/q1");
    expect(caseOf(qFlush!)).toBe("flush");
    expect(slow!.checkTx?.log).toBe("slow");
    expect(after!.checkTx?.log).toBe("after");
    expect(caseOf(mFlush!)).toBe("flush");
  });

  it("runs a consensus request before CheckTx queued ahead of it, never two at once", async () => {
    const events: string[] = [];
    const gate = deferred();
    let running = 0;
    let maxRunning = 0;
    const enter = (name: string) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      events.push(name);
    };
    const app = baseApp(events, {
      checkTx: async (req) => {
        const name = new TextDecoder().decode(req.tx);
        enter(`start:${name}`);
        if (name === "slow") await gate.promise;
        running--;
        return { code: 0, log: name };
      },
      processProposal: () => {
        enter("processProposal");
        running--;
        return { status: ResponseProcessProposal_ProposalStatus.ACCEPT };
      },
      verifyVoteExtension: () => {
        enter("verifyVoteExtension");
        running--;
        return { status: ResponseVerifyVoteExtension_VerifyStatus.ACCEPT };
      },
      finalizeBlock: (req) => {
        enter("finalizeBlock");
        running--;
        return { txResults: req.txs.map(() => ({ code: 0 })), appHash: Uint8Array.of(2) };
      },
    });
    const server = await start(app);
    const mempool = await client(server);
    const consensus = await client(server);
    mempool.send(tx("slow"));
    await until(() => events.includes("start:slow"), "slow checkTx to start");
    // A recheck's worth of CheckTx is queued before the block's requests arrive.
    mempool.send(tx("a"), tx("b"), tx("c"), { flush: {} });
    await settle();
    consensus.send(
      { processProposal: { height: 5n } },
      { verifyVoteExtension: { height: 5n } },
      { finalizeBlock: { height: 5n } },
      { flush: {} },
    );
    await settle();
    expect(events).toEqual(["start:slow"]);
    gate.resolve();
    const got = await consensus.waitFor(4);
    const m = await mempool.waitFor(5);
    // The running CheckTx finishes; then the block's requests, in their order; then the queued CheckTx.
    expect(events).toEqual([
      "start:slow",
      "processProposal",
      "verifyVoteExtension",
      "finalizeBlock",
      "start:a",
      "start:b",
      "start:c",
    ]);
    expect(maxRunning).toBe(1);
    expect(got.map(caseOf)).toEqual(["processProposal", "verifyVoteExtension", "finalizeBlock", "flush"]);
    expect(m.map((r) => r.checkTx?.log ?? caseOf(r))).toEqual(["slow", "a", "b", "c", "flush"]);
  });

  it("reads a consensus request that arrives while a long run of queued CheckTx is answered, and runs it next", async () => {
    const events: string[] = [];
    let consensus: TestClient | undefined;
    const app = baseApp(events, {
      checkTx: (req) => {
        const name = new TextDecoder().decode(req.tx);
        events.push(name);
        // The block's request arrives on the other connection while the first CheckTx of the run is being answered.
        if (name === "t0") consensus!.send({ finalizeBlock: { height: 5n } }, { flush: {} });
        // Each CheckTx does real work (a few ms of it): 200 of them are far more than one slice of the queue.
        const until = performance.now() + 2;
        while (performance.now() < until) {}
        return { code: 0, log: name };
      },
      finalizeBlock: (req) => {
        events.push("finalizeBlock");
        return { txResults: req.txs.map(() => ({ code: 0 })), appHash: Uint8Array.of(2) };
      },
    });
    const server = await start(app);
    const mempool = await client(server);
    consensus = await client(server);
    mempool.send(...Array.from({ length: 200 }, (_, i) => tx(`t${i}`)), { flush: {} });
    await consensus.waitFor(2);
    await mempool.waitFor(201);
    // Read within a slice or two of the queue, not after all 200: a FIFO without pauses ran it last.
    expect(events.indexOf("finalizeBlock")).toBeGreaterThan(0);
    expect(events.indexOf("finalizeBlock")).toBeLessThan(20);
  });

  it("keeps one connection's order: a consensus request does not pass that connection's own queued query", async () => {
    const events: string[] = [];
    const gate = deferred();
    const app = baseApp(events, {
      checkTx: async (req) => {
        const name = new TextDecoder().decode(req.tx);
        events.push(`checkTx:${name}`);
        if (name === "slow") await gate.promise;
        return { code: 0, log: name };
      },
      finalizeBlock: (req) => {
        events.push("finalizeBlock");
        return { txResults: req.txs.map(() => ({ code: 0 })), appHash: Uint8Array.of(2) };
      },
    });
    const server = await start(app);
    const first = await client(server);
    const mixed = await client(server);
    first.send(tx("slow"));
    await until(() => events.includes("checkTx:slow"), "slow checkTx to start");
    first.send(tx("queued"));
    await settle();
    // Not how CometBFT uses a connection, but a client may: its finalizeBlock waits for its own earlier query,
    // which waits for the CheckTx queued before it; the query still goes before a later query of the other connection.
    mixed.send({ query: { path: "/mine" } }, { finalizeBlock: { height: 5n } }, { flush: {} });
    await settle();
    first.send({ query: { path: "/later" } });
    await settle();
    gate.resolve();
    await mixed.waitFor(3);
    await first.waitFor(3);
    expect(events).toEqual(["checkTx:slow", "checkTx:queued", "query:/mine", "finalizeBlock", "query:/later"]);
  });

  it("answers Flush and Echo only after every earlier response on that connection", async () => {
    const events: string[] = [];
    const gate = deferred();
    const app = baseApp(events, {
      checkTx: async (req) => {
        events.push("checkTx");
        await gate.promise;
        return { code: 0, log: new TextDecoder().decode(req.tx) };
      },
    });
    const server = await start(app);
    const c = await client(server);
    c.send(tx("a"), { echo: { message: "e" } }, tx("b"), { flush: {} });
    await until(() => events.length === 1, "checkTx to start");
    await settle();
    expect(c.responses).toEqual([]);
    gate.resolve();
    const got = await c.waitFor(4);
    expect(got.map(caseOf)).toEqual(["checkTx", "echo", "checkTx", "flush"]);
    expect(got[0]!.checkTx?.log).toBe("a");
    expect(got[2]!.checkTx?.log).toBe("b");
  });

  it("sends the answers to pipelined requests in one writev, in request order", async () => {
    const events: string[] = [];
    const server = await start(
      baseApp(events, { checkTx: async (req) => ({ code: 0, log: new TextDecoder().decode(req.tx) }) }),
    );
    const c = await client(server);
    // Counts socket-level writes on the server side only (the client sends its batch in one write before this).
    const proto = Object.getPrototypeOf(c.socket) as { _write: unknown; _writev: unknown };
    const writes: number[] = [];
    const origWrite = proto._write as (...a: unknown[]) => unknown;
    const origWritev = proto._writev as (...a: unknown[]) => unknown;
    proto._write = function (this: unknown, ...a: unknown[]) {
      if (this !== c.socket) writes.push(1);
      return origWrite.apply(this, a);
    };
    proto._writev = function (this: unknown, chunks: unknown[], ...a: unknown[]) {
      if (this !== c.socket) writes.push(chunks.length);
      return origWritev.apply(this, [chunks, ...a]);
    };
    try {
      const batch = Array.from({ length: 20 }, (_, i) => tx(`t${i}`));
      c.send(...batch, { flush: {} });
      const got = await c.waitFor(21);
      expect(got.slice(0, 20).map((r) => r.checkTx?.log)).toEqual(batch.map((_, i) => `t${i}`));
      expect(caseOf(got[20]!)).toBe("flush");
    } finally {
      proto._write = origWrite;
      proto._writev = origWritev;
    }
    // 21 answers in far fewer socket writes than answers (one per tick in which answers became ready).
    expect(writes.reduce((a, b) => a + b, 0)).toBe(21);
    expect(writes.length).toBeLessThanOrEqual(3);
  });

  it("maps a throwing checkTx/query to code 1 codespace sdk, and keeps serving", async () => {
    const logger = recordingLogger();
    const app = baseApp([], {
      checkTx: () => {
        throw new Error("bad tx bytes");
      },
      query: async () => {
        throw new Error("no such path");
      },
    });
    const server = await start(app, logger);
    const c = await client(server);
    c.send(tx("x"), { query: { path: "/nope" } }, { echo: { message: "still here" } });
    const [check, query, echo] = await c.waitFor(3);
    expect(check!.checkTx).toMatchObject({ code: 1, codespace: "sdk", log: "bad tx bytes" });
    expect(query!.query).toMatchObject({ code: 1, codespace: "sdk", log: "no such path" });
    expect(echo!.echo?.message).toBe("still here");
    expect(c.closed).toBe(false);
    expect(logger.lines.filter((l) => l.level === "error")).toHaveLength(2);
  });

  it("maps a throwing consensus method to ResponseException and logs it as an error", async () => {
    const logger = recordingLogger();
    const app = baseApp([], {
      finalizeBlock: () => {
        throw new Error("state corrupted");
      },
      commit: async () => {
        throw new Error("disk full");
      },
      // An answer that cannot be encoded is the app's bug too.
      info: () => ({ lastBlockHeight: "not a number" as unknown as bigint }),
    });
    const server = await start(app, logger);
    const c = await client(server);
    c.send({ finalizeBlock: { height: 5n } }, { commit: {} }, { info: {} }, { flush: {} });
    const [fin, commit, info, flush] = await c.waitFor(4);
    expect(fin!.exception?.error).toBe("finalizeBlock: state corrupted");
    expect(commit!.exception?.error).toBe("commit: disk full");
    expect(info!.exception?.error).toMatch(/^info: /);
    expect(caseOf(flush!)).toBe("flush");
    const errors = logger.lines.filter((l) => l.level === "error");
    expect(errors.map((e) => (e.fields as { method: string }).method)).toEqual(["finalizeBlock", "commit", "info"]);
  });

  it("answers optional methods with safe defaults when the app lacks them", async () => {
    const server = await start(baseApp([]));
    const c = await client(server);
    c.send(
      { extendVote: { height: 3n } },
      { verifyVoteExtension: { height: 3n } },
      { listSnapshots: {} },
      { offerSnapshot: {} },
      { loadSnapshotChunk: {} },
      { applySnapshotChunk: {} },
      { prepareProposal: { txs: [Uint8Array.of(1), Uint8Array.of(2)] } },
      { processProposal: {} },
    );
    const r = await c.waitFor(8);
    expect(r.map(caseOf)).toEqual([
      "extendVote",
      "verifyVoteExtension",
      "listSnapshots",
      "offerSnapshot",
      "loadSnapshotChunk",
      "applySnapshotChunk",
      "prepareProposal",
      "processProposal",
    ]);
    expect(r[0]!.extendVote?.voteExtension).toEqual(new Uint8Array());
    expect(r[1]!.verifyVoteExtension?.status).toBe(ResponseVerifyVoteExtension_VerifyStatus.ACCEPT);
    expect(r[2]!.listSnapshots?.snapshots).toEqual([]);
    expect(r[3]!.offerSnapshot?.result).toBe(ResponseOfferSnapshot_Result.ABORT);
    expect(r[5]!.applySnapshotChunk?.result).toBe(ResponseApplySnapshotChunk_Result.ABORT);
    expect(r[6]!.prepareProposal?.txs).toEqual([Uint8Array.of(1), Uint8Array.of(2)]);
    expect(r[7]!.processProposal?.status).toBe(ResponseProcessProposal_ProposalStatus.ACCEPT);
  });

  it.each([
    ["an unknown request type (v0.37 DeliverTx, field 9)", fromHex("024a00")],
    ["an empty request", fromHex("00")],
    ["undecodable bytes", fromHex("03ffffff")],
    ["an oversize length", fromHex("ffffffffff7f")],
  ])("logs and closes the connection on %s, and keeps serving others", async (_what, bytes) => {
    const logger = recordingLogger();
    const events: string[] = [];
    const server = await start(baseApp(events), logger);
    const bad = await client(server);
    const good = await client(server);
    bad.socket.write(bytes);
    await until(() => bad.closed, "server to close the bad connection");
    expect(bad.responses).toEqual([]);
    expect(logger.lines.some((l) => l.level === "error" && /closing ABCI connection/.test(l.message))).toBe(true);
    good.send(tx("fine"), { flush: {} });
    const [ok] = await good.waitFor(2);
    expect(ok!.checkTx?.code).toBe(0);
    expect(events).toEqual(["checkTx:fine"]);
  });

  it("skips queued requests of a connection that dropped, and accepts new connections", async () => {
    const events: string[] = [];
    const gate = deferred();
    const app = baseApp(events, {
      finalizeBlock: async () => {
        events.push("finalizeBlock");
        await gate.promise;
        return { appHash: Uint8Array.of(9) };
      },
    });
    const server = await start(app);
    const consensus = await client(server);
    const mempool = await client(server);
    consensus.send({ finalizeBlock: { height: 1n } }, { flush: {} });
    await until(() => events.length === 1, "finalizeBlock to start");
    mempool.send(tx("queued-then-dropped"), { flush: {} });
    await settle();
    mempool.socket.destroy();
    consensus.socket.destroy();
    await until(() => mempool.closed && consensus.closed, "clients to close");
    await settle();
    gate.resolve();
    await settle();
    // The in-flight call finished; the request behind it, whose connection is gone, never ran.
    expect(events).toEqual(["finalizeBlock"]);

    const again = await client(server);
    again.send(tx("after-reconnect"), { flush: {} });
    const [res] = await again.waitFor(2);
    expect(res!.checkTx?.code).toBe(0);
    expect(events).toEqual(["finalizeBlock", "checkTx:after-reconnect"]);
  });

  it("close() waits for the running application call and drops connections", async () => {
    const events: string[] = [];
    const gate = deferred();
    const app = baseApp(events, {
      commit: async () => {
        events.push("commit:start");
        await gate.promise;
        events.push("commit:end");
        return {};
      },
    });
    const server = await startAbciServer(app, { listen: "tcp://127.0.0.1:0", logger: recordingLogger() });
    const c = await client(server);
    c.send({ commit: {} }, { flush: {} });
    await until(() => events.length === 1, "commit to start");
    let closed = false;
    const closing = server.close().then(() => {
      closed = true;
    });
    await until(() => c.closed, "connection to drop");
    await settle();
    expect(closed).toBe(false);
    gate.resolve();
    await closing;
    expect(events).toEqual(["commit:start", "commit:end"]);
    await expect(TestClient.open(server.address)).rejects.toThrow(/ECONNREFUSED/);
  });
});
