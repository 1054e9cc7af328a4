/**
 * @module The local Celestia-compatible DA server: the celestia-node JSON-RPC subset DSDN uses, over
 * HTTP and WebSocket on one port, with the same JSON shapes, error strings and auth, persisted in SQLite.
 */
import { mkdirSync } from "node:fs";
import http from "node:http";
import { join } from "node:path";
import { WebSocket, WebSocketServer } from "ws";
import { bytesEqual, toHex } from "../../../common/hash.js";
import { type Disclosed, disclose, type Level, parseLevel } from "../../http/disclosure.js";
import { RequestGuard } from "../../http/requestGuard.js";
import {
  applyKeepAlive,
  DEFAULT_LIMITS,
  DEFAULT_TIMEOUTS,
  httpServerTimeouts,
  type ServiceLimits,
  type ServiceTimeouts,
} from "../../http/serviceLimits.js";
import { encodeBlobJson } from "../celestia/blobJson.js";
import { buildBlobProof, verifyBlobInclusion } from "../commitment/blobProof.js";
import { createCommitment } from "../commitment/commitment.js";
import { NAMESPACE_SIZE, namespaceProblem } from "../commitment/namespace.js";
import { checkBlobShape, type ShareVersion, sparseSharesNeeded } from "../commitment/shares.js";
import { type AuthTokens, issueTokens, loadOrCreateSecret, type Permission, verifyJwt } from "./auth.js";
import { buildBlock, extendedHeaderJson, type PendingBlob, squareOf } from "./block.js";
import { LocalDAStore, type StoredBlob } from "./store.js";

export interface LocalDAServerOptions {
  /** Directory for the SQLite database, the JWT secret and the token file (created if missing). */
  readonly dataDir: string;
  /** TCP port; 0 picks a free one. Default 26658 like celestia-node. */
  readonly port?: number;
  readonly host?: string;
  /** A new height every this many ms (with or without blobs). Default 1000. */
  readonly blockTimeMs?: number;
  readonly chainId?: string;
  /** Lifetime of the tokens issued at start (they are re-issued at every start). Default 30 days. */
  readonly tokenTtlSeconds?: number;
  /** Request body limit (celestia-node: 16 MiB). */
  readonly maxBodyBytes?: number;
  /** Blob bytes one blob.Submit may carry (celestia-app MaxTxSize: 8 MiB). */
  readonly maxSubmitBytes?: number;
  /** Header and whole-request deadlines (WebSocket subscriptions, once upgraded, are not cut). */
  readonly timeouts?: ServiceTimeouts;
  /** Requests per client per window and load shedding (default: DA_DEFAULT_LIMITS). */
  readonly limits?: ServiceLimits;
  readonly log?: (line: string) => void;
}

/** Every service of a localnet reads DA from 127.0.0.1, replays included: a high per-address default. */
export const DA_DEFAULT_LIMITS: ServiceLimits = { ...DEFAULT_LIMITS, requestsPerWindow: 60_000 };

export const DEFAULT_LOCAL_DA_PORT = 26658;
export const MAX_BODY_BYTES = 16 * 1024 * 1024;
export const MAX_SUBMIT_BYTES = 8 * 1024 * 1024;
/** celestia-node closes a subscription whose client lets this many values pile up. */
const SUBSCRIBER_BUFFER = 16;

/** A JSON-RPC error exactly as go-jsonrpc writes it. */
class RpcFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}
const fail = (message: string) => new RpcFailure(1, message);

interface MethodSpec {
  readonly perm: Permission;
  readonly params: number;
  readonly wsOnly?: boolean;
  readonly run: (params: unknown[], ctx: CallContext) => Promise<unknown> | unknown;
}

interface CallContext {
  readonly ws?: WebSocket;
}

interface Subscriber {
  readonly ws: WebSocket;
  readonly chanId: number;
  readonly namespace: Uint8Array;
}

interface PendingSubmit {
  readonly blobs: PendingBlob[];
  readonly resolve: (height: number) => void;
  readonly reject: (e: Error) => void;
}

function parseUint(value: unknown, what: string): number {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === "string" && /^\d+$/.test(value)) return Number(value);
  throw new RpcFailure(-32602, `unmarshaling params for '${what}': expected an unsigned integer`);
}

function parseNamespaceParam(value: unknown): Uint8Array {
  if (typeof value !== "string") throw fail("invalid namespace: expected base64");
  const ns = new Uint8Array(Buffer.from(value, "base64"));
  if (ns.length !== NAMESPACE_SIZE)
    throw fail(`invalid namespace length: expected ${NAMESPACE_SIZE}, got ${ns.length}`);
  return ns;
}

export class LocalDAServer {
  readonly tokens: AuthTokens;
  /** Where the read/write/admin tokens were written (0600). */
  readonly tokenFile: string;
  private readonly store: LocalDAStore;
  private readonly secret: Uint8Array;
  private readonly server: http.Server;
  private readonly wss: WebSocketServer;
  private readonly methods: Record<string, MethodSpec>;
  private readonly subscribers = new Set<Subscriber>();
  private pending: PendingSubmit[] = [];
  private waiters: { height: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private nextChanId = 1;
  private headHeight: number;
  private portNumber = 0;
  private stopped = false;
  private readonly chainId: string;
  private readonly log: (line: string) => void;
  private readonly guard: RequestGuard;

  private constructor(private readonly options: LocalDAServerOptions) {
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    this.store = new LocalDAStore(join(options.dataDir, "local-da.sqlite"));
    this.secret = loadOrCreateSecret(options.dataDir);
    const issued = issueTokens(options.dataDir, this.secret, options.tokenTtlSeconds);
    this.tokens = issued.tokens;
    this.tokenFile = issued.file;
    this.headHeight = this.store.head();
    this.chainId = options.chainId ?? "dsdn-local-da";
    this.log = options.log ?? (() => {});
    this.methods = this.methodTable();
    const t = options.timeouts ?? DEFAULT_TIMEOUTS;
    this.guard = new RequestGuard(options.limits ?? DA_DEFAULT_LIMITS);
    this.server = http.createServer(httpServerTimeouts(t), (req, res) => void this.onHttp(req, res));
    applyKeepAlive(this.server, t);
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.maxBody });
    this.server.on("upgrade", (req, socket, head) => this.onUpgrade(req, socket, head));
  }

  /** Opens the store, issues tokens, listens, and starts producing heights. */
  static async start(options: LocalDAServerOptions): Promise<LocalDAServer> {
    const s = new LocalDAServer(options);
    await new Promise<void>((resolve, reject) => {
      s.server.once("error", reject);
      s.server.listen(options.port ?? DEFAULT_LOCAL_DA_PORT, options.host ?? "127.0.0.1", () => resolve());
    });
    s.portNumber = (s.server.address() as { port: number }).port;
    // A chain never has height 0: the first height exists as soon as the server is up.
    if (s.headHeight === 0) s.produceBlock();
    s.timer = setInterval(() => s.produceBlock(), options.blockTimeMs ?? 1000);
    s.log(`local DA listening on ${s.url}, head ${s.headHeight}, block time ${options.blockTimeMs ?? 1000} ms`);
    return s;
  }

  get port(): number {
    return this.portNumber;
  }

  get url(): string {
    return `http://${this.options.host ?? "127.0.0.1"}:${this.portNumber}`;
  }

  head(): number {
    return this.headHeight;
  }

  private get maxBody(): number {
    return this.options.maxBodyBytes ?? MAX_BODY_BYTES;
  }

  // ---- heights -------------------------------------------------------------------------------

  /** Seals every pending Submit into the next height, persists it, and tells waiters and subscribers. */
  private produceBlock(): void {
    if (this.stopped) return;
    const batch = this.pending;
    this.pending = [];
    const height = this.headHeight + 1;
    const last = this.headHeight > 0 ? this.store.header(this.headHeight)?.hash : undefined;
    let built: ReturnType<typeof buildBlock>;
    try {
      built = buildBlock(
        height,
        last ?? new Uint8Array(32),
        batch.flatMap((p) => p.blobs),
        new Date(),
      );
      this.store.appendBlock(built.header, built.blobs);
    } catch (e) {
      for (const p of batch) p.reject(fail(`failed to include blob: ${(e as Error).message}`));
      return;
    }
    this.headHeight = height;
    for (const p of batch) p.resolve(height);
    const ready = this.waiters.filter((w) => w.height <= height);
    this.waiters = this.waiters.filter((w) => w.height > height);
    for (const w of ready) w.resolve();
    if (batch.length > 0) this.log(`height ${height}: ${built.blobs.length} blob(s)`);
    this.notifySubscribers(height, built.blobs);
  }

  private notifySubscribers(height: number, blobs: readonly StoredBlob[]): void {
    if (this.subscribers.size === 0) return;
    const header = this.store.header(height);
    if (!header) return;
    const headerJson = extendedHeaderJson(header, this.chainId);
    for (const sub of this.subscribers) {
      if (sub.ws.readyState !== WebSocket.OPEN) {
        this.subscribers.delete(sub);
        continue;
      }
      const ours = blobs.filter((b) => bytesEqual(b.namespace, sub.namespace)).map(blobToJson);
      const value = { Blobs: ours.length ? ours : null, Height: height, Header: headerJson };
      const msg = JSON.stringify({ jsonrpc: "2.0", method: "xrpc.ch.val", params: [sub.chanId, value] });
      // A client that lets messages pile up is cut off, like celestia-node's 16-value channel buffer.
      if (sub.ws.bufferedAmount > SUBSCRIBER_BUFFER * Math.max(msg.length, 64 * 1024)) {
        sub.ws.send(JSON.stringify({ jsonrpc: "2.0", method: "xrpc.ch.close", params: [sub.chanId] }));
        this.subscribers.delete(sub);
        continue;
      }
      sub.ws.send(msg);
    }
  }

  /** Height rules of celestia-node: 0 invalid, ≤ head served, head+1 waited for, beyond that refused. */
  private async awaitHeight(height: number): Promise<void> {
    if (height === 0) throw fail("height is equal to 0");
    if (height <= this.headHeight) return;
    if (height > this.headHeight + 1) {
      throw fail(
        `header: given height is from the future: networkHeight: ${this.headHeight}, requestedHeight: ${height}`,
      );
    }
    await this.waitFor(height);
  }

  private waitFor(height: number): Promise<void> {
    if (height <= this.headHeight) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ height, resolve, reject }));
  }

  // ---- methods -------------------------------------------------------------------------------

  private headerAt(height: number): Record<string, unknown> {
    const h = this.store.header(height);
    if (!h) throw fail(`header: not found`);
    return extendedHeaderJson(h, this.chainId);
  }

  private async findBlob(h: unknown, ns: unknown, c: unknown, method: string): Promise<StoredBlob> {
    const height = parseUint(h, method);
    const namespace = parseNamespaceParam(ns);
    if (typeof c !== "string") throw fail("invalid commitment: expected base64");
    await this.awaitHeight(height);
    const blob = this.store.blob(height, namespace, new Uint8Array(Buffer.from(c, "base64")));
    if (!blob) throw fail("blob: not found");
    return blob;
  }

  /** celestia-node's blob.Proof for a stored blob: NMT proofs to its rows, RFC 6962 proofs of the rows to the data root. */
  private proofOf(blob: StoredBlob): unknown {
    const header = this.store.header(blob.height);
    if (!header) throw fail("header: not found");
    const { square, width } = squareOf(this.store.allBlobs(blob.height));
    const shares = sparseSharesNeeded(blob.data.length, blob.shareVersion as ShareVersion);
    return buildBlobProof(square, width, blob.shareIndex, shares, header.rowRoots, header.columnRoots);
  }

  private methodTable(): Record<string, MethodSpec> {
    return {
      "blob.Submit": { perm: "write", params: 2, run: (p) => this.submit(p) },
      "blob.Get": {
        perm: "read",
        params: 3,
        run: async ([h, ns, c]) => blobToJson(await this.findBlob(h, ns, c, "blob.Get")),
      },
      "blob.GetProof": {
        perm: "read",
        params: 3,
        run: async ([h, ns, c]) => this.proofOf(await this.findBlob(h, ns, c, "blob.GetProof")),
      },
      "blob.Included": {
        perm: "read",
        params: 4,
        run: async ([h, ns, proof, c]) => {
          const found = await this.findBlob(h, ns, c, "blob.Included").catch((e) => {
            if (e instanceof RpcFailure && e.message === "blob: not found") return undefined;
            throw e;
          });
          if (!found) return false;
          const header = this.store.header(found.height);
          if (!header) return false;
          try {
            verifyBlobInclusion(
              {
                namespace: found.namespace,
                data: found.data,
                shareVersion: found.shareVersion as ShareVersion,
                ...(found.signer ? { signer: found.signer } : {}),
              },
              proof,
              { ...header, height: BigInt(found.height) },
            );
            return true;
          } catch {
            throw fail("blob: invalid proof");
          }
        },
      },
      "blob.GetAll": {
        perm: "read",
        params: 2,
        run: async ([h, list]) => {
          const height = parseUint(h, "blob.GetAll");
          if (!Array.isArray(list))
            throw new RpcFailure(-32602, "unmarshaling params for 'blob.GetAll': expected an array of namespaces");
          const namespaces = list.map(parseNamespaceParam);
          await this.awaitHeight(height);
          const out = namespaces.flatMap((ns) => this.store.blobs(height, ns)).map(blobToJson);
          // celestia-node answers null, not [], when the namespaces hold nothing at that height.
          return out.length ? out : null;
        },
      },
      "blob.Subscribe": {
        perm: "read",
        params: 1,
        wsOnly: true,
        run: ([ns], ctx) => {
          const namespace = parseNamespaceParam(ns);
          const chanId = this.nextChanId++;
          this.subscribers.add({ ws: ctx.ws as WebSocket, chanId, namespace });
          return chanId;
        },
      },
      "header.LocalHead": { perm: "read", params: 0, run: () => this.headerAt(this.headHeight) },
      "header.NetworkHead": { perm: "read", params: 0, run: () => this.headerAt(this.headHeight) },
      "header.GetByHeight": {
        perm: "read",
        params: 1,
        run: async ([h]) => {
          const height = parseUint(h, "header.GetByHeight");
          await this.awaitHeight(height);
          return this.headerAt(height);
        },
      },
      "header.WaitForHeight": {
        perm: "read",
        params: 1,
        run: async ([h]) => {
          const height = parseUint(h, "header.WaitForHeight");
          if (height === 0) throw fail("height is equal to 0");
          await this.waitFor(height);
          return this.headerAt(height);
        },
      },
      "header.SyncState": {
        perm: "read",
        params: 0,
        run: () => ({
          id: 1,
          height: this.headHeight,
          from_height: 1,
          to_height: this.headHeight,
          from_hash: "",
          to_hash: "",
          start: "",
          end: "",
        }),
      },
      "node.Ready": { perm: "read", params: 0, run: () => true },
    };
  }

  private submit([blobs, options]: unknown[]): Promise<number> {
    if (options === null || typeof options !== "object") throw fail("tx config must not be null");
    if (!Array.isArray(blobs) || blobs.length === 0) throw fail("blob: no blobs provided");
    let total = 0;
    const accepted: PendingBlob[] = blobs.map((raw) => {
      const o = (raw ?? {}) as Record<string, unknown>;
      const namespace = parseNamespaceParam(o.namespace);
      const problem = namespaceProblem(namespace);
      if (problem) throw fail(`invalid namespace: ${problem}`);
      if (typeof o.data !== "string") throw fail("data can not be empty");
      const data = new Uint8Array(Buffer.from(o.data, "base64"));
      const shareVersion = (o.share_version ?? 0) as ShareVersion;
      const signer =
        typeof o.signer === "string" && o.signer ? new Uint8Array(Buffer.from(o.signer, "base64")) : undefined;
      try {
        checkBlobShape(data, shareVersion, signer);
      } catch (e) {
        throw fail((e as Error).message);
      }
      total += data.length;
      const commitment = createCommitment(namespace, data, shareVersion === 1 ? { shareVersion, signer } : {});
      if (typeof o.commitment === "string" && o.commitment !== "") {
        if (!bytesEqual(new Uint8Array(Buffer.from(o.commitment, "base64")), commitment)) {
          throw fail("blob: commitment does not match the blob data");
        }
      }
      return signer
        ? { namespace, data, shareVersion, commitment, signer }
        : { namespace, data, shareVersion, commitment };
    });
    const limit = this.options.maxSubmitBytes ?? MAX_SUBMIT_BYTES;
    if (total > limit)
      throw fail(`tx size ${total} bytes is larger than the application's configured MaxTxSize of ${limit} bytes`);
    return new Promise<number>((resolve, reject) => this.pending.push({ blobs: accepted, resolve, reject }));
  }

  // ---- transport -----------------------------------------------------------------------------

  /** undefined = bad token (HTTP 401); no token = public only. */
  private permissions(req: http.IncomingMessage): Permission[] | undefined {
    const header = req.headers.authorization;
    let token: string | undefined;
    if (header?.startsWith("Bearer ")) token = header.slice(7).trim();
    else if (header) return undefined;
    // Tokens in URLs (`?token=`) end up in access logs, proxies and shell history: refused, not read.
    if (new URL(req.url ?? "/", "http://x").searchParams.has("token")) return undefined;
    if (!token) return ["public"];
    return verifyJwt(token, this.secret);
  }

  private async dispatch(body: unknown, perms: Permission[], ctx: CallContext): Promise<Record<string, unknown>> {
    const req = body as { id?: unknown; method?: unknown; params?: unknown } | null;
    const id = req?.id ?? null;
    const reply = (payload: Record<string, unknown>) => ({ jsonrpc: "2.0", id, ...payload });
    const error = (e: RpcFailure) => reply({ error: { code: e.code, message: e.message } });
    if (!req || typeof req !== "object" || Array.isArray(req) || typeof req.method !== "string") {
      return error(new RpcFailure(-32600, "invalid request"));
    }
    const spec = this.methods[req.method];
    if (!spec) return error(new RpcFailure(-32601, `method '${req.method}' not found`));
    const params = req.params === undefined || req.params === null ? [] : req.params;
    if (!Array.isArray(params)) return error(new RpcFailure(-32602, "params must be an array"));
    if (params.length !== spec.params) {
      return error(
        new RpcFailure(-32602, `wrong param count (method '${req.method}'): ${params.length} != ${spec.params}`),
      );
    }
    if (!perms.includes(spec.perm)) {
      const short = req.method.slice(req.method.indexOf(".") + 1);
      return error(fail(`missing permission to invoke '${short}' (need '${spec.perm}')`));
    }
    if (spec.wsOnly && !ctx.ws) {
      return error(new RpcFailure(-32601, `RPC client error: sendRequest failed: no out channel support`));
    }
    try {
      return reply({ result: await spec.run(params, ctx) });
    } catch (e) {
      return error(e instanceof RpcFailure ? e : fail((e as Error).message));
    }
  }

  private async onHttp(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const send = (status: number, payload: unknown) => {
      const text = typeof payload === "string" ? payload : JSON.stringify(payload);
      res.writeHead(status, { "content-type": typeof payload === "string" ? "text/plain" : "application/json" });
      res.end(text);
    };
    const refusal = this.guard.check(req.socket.remoteAddress);
    if (refusal) {
      req.resume();
      res.setHeader("retry-after", String(refusal.retryAfterSeconds));
      res.setHeader("connection", "close");
      return send(refusal.status, {
        jsonrpc: "2.0",
        id: null,
        error: { code: -32000, message: refusal.message, data: { code: refusal.code } },
      });
    }
    if (req.method !== "POST") return send(...this.plainAnswer(req));
    const perms = this.permissions(req);
    if (!perms) {
      req.resume();
      return send(401, "invalid token\n");
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > this.maxBody) {
        tooBig = true;
        break;
      }
      chunks.push(chunk);
    }
    if (tooBig) {
      res.setHeader("connection", "close");
      send(413, {
        jsonrpc: "2.0",
        id: null,
        error: { code: -32700, message: `request bigger than maximum ${this.maxBody} allowed` },
      });
      req.destroy();
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return send(200, { jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } });
    }
    send(200, await this.dispatch(body, perms, {}));
  }

  /**
   * What the server says outside JSON-RPC, in the `{summary, details, audit}` shape at `?level=` (default 1):
   * `GET /health` (the head height and its header hash and data root, so a reader can compare with any other
   * DA client), and a 405 for everything else. Nothing here needs a token: it is public header data.
   */
  private plainAnswer(req: http.IncomingMessage): [number, Disclosed] {
    const url = new URL((req.url ?? "/").slice(0, 2048), "http://x");
    const asked = parseLevel(url.searchParams.get("level") ?? undefined);
    const level: Level = asked === undefined || asked === "invalid" ? 1 : asked;
    if (req.method === "GET" && url.pathname === "/health") {
      const h = this.store.header(this.headHeight);
      const body = { status: "ok", chainId: this.chainId, head: this.headHeight, time: h?.time ?? null };
      const audit = h ? { daHeight: String(h.height), headerHash: toHex(h.hash), dataRoot: toHex(h.dataHash) } : {};
      return [
        200,
        disclose(body, level, { summary: `Local DA is producing blocks; head at height ${this.headHeight}.` }, audit),
      ];
    }
    const body = {
      code: "DSDN_INVALID_ARGUMENT",
      method: String(req.method).slice(0, 16),
      path: url.pathname.slice(0, 200),
    };
    return [
      405,
      disclose(body, level, { summary: "Only POST (JSON-RPC), WebSocket upgrades and GET /health are served here." }),
    ];
  }

  private onUpgrade(req: http.IncomingMessage, socket: import("node:stream").Duplex, head: Buffer): void {
    const refusal = this.guard.check(req.socket.remoteAddress);
    if (refusal) {
      socket.end(
        `HTTP/1.1 ${refusal.status} ${refusal.status === 429 ? "Too Many Requests" : "Service Unavailable"}\r\nRetry-After: ${refusal.retryAfterSeconds}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
      );
      return;
    }
    const perms = this.permissions(req);
    if (!perms) {
      socket.end("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on("message", (raw: import("ws").RawData) => {
        let body: unknown;
        try {
          body = JSON.parse(raw.toString());
        } catch {
          ws.send(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } }));
          return;
        }
        const method = (body as { method?: unknown } | null)?.method;
        if (method === "xrpc.cancel" || method === "xrpc.ch.close") return;
        void this.dispatch(body, perms, { ws }).then((reply) => {
          if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(reply));
        });
      });
      ws.on("close", () => {
        for (const s of this.subscribers) if (s.ws === ws) this.subscribers.delete(s);
      });
    });
  }

  /** Stops producing heights, fails waiting calls, closes sockets and the database. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.guard.close();
    const down = fail("node is shutting down");
    for (const p of this.pending) p.reject(down);
    for (const w of this.waiters) w.reject(down);
    this.pending = [];
    this.waiters = [];
    for (const ws of this.wss.clients) ws.terminate();
    this.subscribers.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    this.wss.close();
    this.store.close();
  }
}

function blobToJson(b: StoredBlob) {
  return encodeBlobJson(
    b.namespace,
    b.data,
    b.commitment,
    b.shareIndex,
    b.shareVersion as ShareVersion,
    b.signer ?? undefined,
  );
}
