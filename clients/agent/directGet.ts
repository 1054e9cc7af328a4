/**
 * @module Plain-HTTP GET of a chunk read by the kernel straight into its final buffer and hashed as it arrives.
 * node:http hands a response over in 64 KiB pieces that are copied into the chunk buffer, then garbage
 * collected, and the whole chunk was hashed once more afterwards (profile of `dsdn get`: socket parsing 11%,
 * copies 6%, GC 7%, a second pass of SHA-256 over memory). Here the socket reads into the destination itself
 * (`net` `onread` with a buffer per read) and each read is hashed while it is still in cache.
 */
import { createHash, type Hash } from "node:crypto";
import net from "node:net";

/** Response head limit: a status line and headers larger than this are refused, never buffered. */
const MAX_HEAD = 16 * 1024;
/** Error bodies (JSON from the node) read whole; a larger non-200 body is not a chunk server's answer. */
const MAX_ERROR_BODY = 64 * 1024;
const IDLE_SOCKETS = 8;

export interface DirectResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** SHA-256 of the body, computed as it arrived (200 responses only). */
  readonly sha256?: Uint8Array;
}

/** One kept-alive connection; `onread` asks `nextBuffer` where the kernel should put the next bytes. */
class Conn {
  readonly socket: net.Socket;
  private head = Buffer.allocUnsafe(MAX_HEAD);
  private headLen = 0;
  private body: Buffer | null = null;
  private got = 0;
  private hash: Hash | null = null;
  private status = 0;
  private headers: Record<string, string> = {};
  private waiting: {
    ok: (r: DirectResponse | null) => void;
    fail: (e: Error) => void;
    maxBody: number;
    alloc: (size: number) => Buffer;
  } | null = null;
  /** Response bytes seen for the request in flight (a reused socket closed before any is a stale keep-alive). */
  sawBytes = false;
  reusable = true;

  constructor(host: string, port: number, onClose: (c: Conn) => void) {
    this.socket = net.connect({
      host,
      port,
      noDelay: true,
      onread: { buffer: () => this.nextBuffer(), callback: (n, buf) => this.onRead(n, buf as Buffer) },
    });
    const gone = (e?: Error) => {
      this.reusable = false;
      onClose(this);
      this.fail(e ?? new Error("response ended before its announced length (the server cut it short)"));
    };
    this.socket.on("error", gone);
    this.socket.on("close", () => gone());
    this.socket.on("end", () => gone());
  }

  private nextBuffer(): Uint8Array {
    if (this.body && this.got < this.body.length) return this.body.subarray(this.got);
    return this.head.subarray(this.headLen);
  }

  request(
    path: string,
    host: string,
    extra: Readonly<Record<string, string>>,
    maxBody: number,
    alloc: (size: number) => Buffer,
  ): Promise<DirectResponse | null> {
    this.headLen = 0;
    this.body = null;
    this.got = 0;
    this.hash = null;
    this.sawBytes = false;
    const lines = [`GET ${path} HTTP/1.1`, `host: ${host}`, "connection: keep-alive"];
    for (const [k, v] of Object.entries(extra)) lines.push(`${k}: ${v}`);
    return new Promise((ok, fail) => {
      this.waiting = { ok, fail, maxBody, alloc };
      this.socket.write(`${lines.join("\r\n")}\r\n\r\n`);
    });
  }

  private fail(e: Error): void {
    const w = this.waiting;
    this.waiting = null;
    w?.fail(e);
  }

  private finish(r: DirectResponse | null): void {
    const w = this.waiting;
    this.waiting = null;
    w?.ok(r);
  }

  /** Stops using the connection: its stream position is no longer known (or the server asked to close). */
  drop(e?: Error): void {
    this.reusable = false;
    this.socket.destroy();
    if (e) this.fail(e);
  }

  private onRead(n: number, buf: Buffer): boolean {
    this.sawBytes = true;
    const w = this.waiting;
    if (!w) {
      this.drop(); // bytes nobody asked for: the connection is out of step
      return false;
    }
    if (this.body) {
      // The kernel wrote into body[got .. got + n).
      this.hash?.update(buf.subarray(0, n));
      this.got += n;
      if (this.got === this.body.length) this.complete();
      return true;
    }
    this.headLen += n;
    const end = this.head.subarray(0, this.headLen).indexOf("\r\n\r\n");
    if (end < 0) {
      if (this.headLen >= MAX_HEAD) this.drop(new Error(`response head exceeds ${MAX_HEAD} bytes`));
      return true;
    }
    if (!this.parseHead(this.head.toString("latin1", 0, end), w.maxBody, w.alloc)) return true;
    const body = this.body as Buffer | null;
    if (!body) return true;
    const rest = this.head.subarray(end + 4, this.headLen);
    if (rest.length > body.length) {
      this.drop(new Error("response body longer than announced"));
      return true;
    }
    rest.copy(body, 0);
    this.hash?.update(rest);
    this.got = rest.length;
    this.headLen = 0;
    if (this.got === body.length) this.complete();
    return true;
  }

  /** False when the response was settled (refused or handed to the general client). */
  private parseHead(head: string, maxBody: number, alloc: (size: number) => Buffer): boolean {
    const [statusLine, ...lines] = head.split("\r\n");
    const m = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(statusLine ?? "");
    if (!m) {
      this.drop(new Error("malformed HTTP response"));
      return false;
    }
    this.status = Number(m[1]);
    this.headers = {};
    for (const line of lines) {
      const i = line.indexOf(":");
      if (i > 0) this.headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    const cl = this.headers["content-length"];
    const declared = cl !== undefined && /^\d{1,16}$/.test(cl) ? Number(cl) : Number.NaN;
    // Framing this reader does not handle (chunked, read-to-close, informational): the general client takes over.
    if (this.headers["transfer-encoding"] !== undefined || !Number.isSafeInteger(declared) || this.status < 200) {
      this.drop();
      this.finish(null);
      return false;
    }
    const limit = this.status === 200 ? maxBody : MAX_ERROR_BODY;
    if (declared > limit) {
      this.drop(new Error(`response of ${declared} bytes exceeds the expected maximum of ${limit}`));
      return false;
    }
    if (this.headers.connection?.toLowerCase() === "close") this.reusable = false;
    this.body = this.status === 200 ? alloc(declared) : Buffer.allocUnsafe(declared);
    this.hash = this.status === 200 ? createHash("sha256") : null;
    this.got = 0;
    return true;
  }

  private complete(): void {
    const body = this.body!;
    const r: DirectResponse = {
      status: this.status,
      headers: this.headers,
      body,
      ...(this.hash ? { sha256: new Uint8Array(this.hash.digest()) } : {}),
    };
    this.body = null;
    this.hash = null;
    this.headLen = 0;
    this.finish(r);
  }
}

/** GETs over kept-alive plain-HTTP connections to one origin. */
export class DirectGetter {
  private readonly idle: Conn[] = [];
  private closed = false;

  constructor(private readonly origin: URL) {}

  /**
   * Resolves `null` when the response uses framing this reader leaves to node:http (chunked, no length):
   * the caller asks again through it. Rejects on a network error, a short or overlong body, or `signal`.
   */
  async get(
    path: string,
    signal: AbortSignal,
    maxBody: number,
    alloc: (size: number) => Buffer = Buffer.allocUnsafe,
    extra: Readonly<Record<string, string>> = {},
  ): Promise<DirectResponse | null> {
    signal.throwIfAborted();
    const reused = this.idle.pop();
    reused?.socket.ref();
    try {
      return await this.once(reused ?? this.connect(), path, signal, maxBody, alloc, extra);
    } catch (e) {
      // A kept-alive connection the server closed while idle fails before any byte: ask once on a fresh one.
      if (!reused || reused.sawBytes || signal.aborted) throw e;
      return this.once(this.connect(), path, signal, maxBody, alloc, extra);
    }
  }

  private connect(): Conn {
    const port = Number(this.origin.port || 80);
    const host = this.origin.hostname.replace(/^\[|\]$/g, "");
    return new Conn(host, port, (c) => {
      const i = this.idle.indexOf(c);
      if (i >= 0) this.idle.splice(i, 1);
    });
  }

  private async once(
    conn: Conn,
    path: string,
    signal: AbortSignal,
    maxBody: number,
    alloc: (size: number) => Buffer,
    extra: Readonly<Record<string, string>>,
  ): Promise<DirectResponse | null> {
    const abort = () => conn.drop(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
    signal.addEventListener("abort", abort, { once: true });
    try {
      const r = await conn.request(path, this.origin.host, extra, maxBody, alloc);
      // Pooled only after the reads already pending on the socket have run: bytes a server sent past the
      // announced body then find no request waiting and retire the connection, instead of being taken as the
      // answer to the next request.
      setImmediate(() => {
        if (conn.reusable && !this.closed && this.idle.length < IDLE_SOCKETS) {
          conn.socket.unref();
          this.idle.push(conn);
        } else conn.drop();
      });
      return r;
    } catch (e) {
      conn.drop();
      throw e;
    } finally {
      signal.removeEventListener("abort", abort);
    }
  }

  close(): void {
    this.closed = true;
    for (const c of this.idle.splice(0)) c.drop();
  }
}
