/** @module The storage node's chunk server: ticketed, bounded streaming PUT; verified GET/HEAD; health and metrics. */
import { statfs } from "node:fs/promises";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { parseCid } from "../../common/cid.js";
import { ErrorCode, isBaseError } from "../../common/errors.js";
import { BlockedError, type ComplianceGate } from "../compliance/blockList.js";
import { registerDisclosure } from "../http/disclosure.js";
import {
  applyServiceLimits,
  DEFAULT_LIMITS,
  DEFAULT_TIMEOUTS,
  type ServiceLimits,
  type ServiceTimeouts,
  serverTimeouts,
} from "../http/serviceLimits.js";
import { WindowQuota } from "../http/windowQuota.js";
import { signAck } from "./ack.js";
import { DEFAULT_MAX_BODY } from "./chunker.js";
import { storageDisclosure } from "./disclosure.js";
import type { NodeIdentity } from "./identity.js";
import type { InFlightChunks } from "./inFlight.js";
import type { LocalFsStorage } from "./localfs.js";
import { Metrics } from "./metrics.js";
import { parseRange } from "./range.js";
import { checkTicket, TICKET_HEADER, type VerifiedTicket } from "./ticket.js";

/** Largest chunk plus room for the AES-GCM tag and a large manifest. */
export { DEFAULT_MAX_BODY };

/** How long the rest of a refused PUT's body is read and dropped before the connection is closed. */
const LINGER_MS = 5_000;

/** Default cap on PUTs being received at once. */
export const DEFAULT_MAX_UPLOADS = 16;

export interface ChunkServerOptions {
  readonly storage: LocalFsStorage;
  /** Notes each chunk stored under a ticket with the ticket's expiry, so garbage collection spares uploads in flight. */
  readonly inFlight?: InFlightChunks;
  readonly identity: NodeIdentity;
  readonly zone: string;
  readonly maxBodyBytes?: number;
  /**
   * Who may PUT: the hex ed25519 keys of the coordinators whose placement/heal tickets this node honours
   * (the set may grow while running), or "open" — any PUT is stored (standalone development nodes only).
   */
  readonly authority: ReadonlySet<string> | "open";
  /** Bytes this node stores at most (`--capacity`); PUTs beyond it get 507 before any byte is written. */
  readonly capacityBytes?: number;
  /** Free disk space always left alone (default 16 MiB, or 1/64 of a smaller disk), checked before a body is accepted. */
  readonly reserveFreeBytes?: number;
  /** Per-uploader quota (the ticket's uploader; the client address on an open node). */
  readonly quota?: { readonly bytesPerWindow: number; readonly windowMs: number };
  /** PUT bodies received at once (default 16); more get 503 with Retry-After. */
  readonly maxConcurrentUploads?: number;
  readonly timeouts?: ServiceTimeouts;
  readonly limits?: ServiceLimits;
  readonly now?: () => number;
  /**
   * Governance's blocked CIDs (node-agent/compliance, fed by chain events): never served by GET/HEAD on any
   * `:cid` route (chunks, compute outputs). The bytes stay on disk — only their owner deletes them.
   */
  readonly compliance?: ComplianceGate;
}

/** HTTP status for each stable error code. */
const STATUS: Partial<Record<string, number>> = {
  [ErrorCode.InvalidArgument]: 400,
  [ErrorCode.Decode]: 400,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Integrity]: 422,
  [ErrorCode.TooLarge]: 413,
  [ErrorCode.Unauthorized]: 403,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.InsufficientStorage]: 507,
  [ErrorCode.Unavailable]: 503,
  [ErrorCode.Blocked]: 451,
};

function sendError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).type("application/json").send({ error: { code, message } });
}

export interface ChunkServer {
  readonly app: FastifyInstance;
  readonly metrics: Metrics;
}

export function createChunkServer(options: ChunkServerOptions): ChunkServer {
  const { storage, identity, zone, authority } = options;
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const now = options.now ?? Date.now;
  const maxUploads = options.maxConcurrentUploads ?? DEFAULT_MAX_UPLOADS;
  // Free space never handed out: 16 MiB, or 1/64 of a small file system (metadata and other writers need room).
  let reserveFree = options.reserveFreeBytes ?? 16 * 1024 * 1024;
  if (options.reserveFreeBytes === undefined)
    void statfs(storage.root).then(
      (st) => (reserveFree = Math.min(reserveFree, Math.floor((st.blocks * st.bsize) / 64))),
      () => {},
    );
  const quota = new WindowQuota({
    perWindow: options.quota?.bytesPerWindow ?? 0,
    windowMs: options.quota?.windowMs ?? 1,
  });
  /** Bytes of PUTs in progress, counted against capacity and free space before they are written. */
  let reserved = 0;
  let uploading = 0;
  /** Set by an ENOSPC from the disk; cleared by the next chunk stored. /health reports it. */
  let diskFull: { at: number; message: string } | undefined;
  const metrics = new Metrics();
  const puts = metrics.counter("dsdn_storage_chunk_puts_total", "Chunk PUT requests by result");
  const gets = metrics.counter("dsdn_storage_chunk_gets_total", "Chunk GET requests by result");
  const heads = metrics.counter("dsdn_storage_chunk_heads_total", "Chunk HEAD requests by result");
  const bytesIn = metrics.counter("dsdn_storage_received_bytes_total", "Chunk bytes received and stored");
  const bytesOut = metrics.counter("dsdn_storage_sent_bytes_total", "Chunk bytes sent");
  const corrupt = metrics.counter("dsdn_storage_corrupt_chunks_total", "Stored chunks found corrupt and quarantined");
  metrics.gauge("dsdn_storage_chunks", "Chunks held", () => storage.stats().chunks);
  metrics.gauge("dsdn_storage_bytes", "Bytes held", () => storage.stats().bytes);
  metrics.gauge("process_resident_memory_bytes", "Resident memory size in bytes", () => process.memoryUsage.rss());
  const startedAt = Date.now();

  const app = Fastify({
    logger: false,
    bodyLimit: maxBody,
    exposeHeadRoutes: false,
    ...serverTimeouts(options.timeouts ?? DEFAULT_TIMEOUTS),
  });
  applyServiceLimits(app, options.limits ?? DEFAULT_LIMITS);
  registerDisclosure(app, storageDisclosure(identity.nodeId));
  // Chunk bodies are streamed straight to disk by the handler, never parsed or buffered.
  app.removeAllContentTypeParsers();
  const gate = options.compliance;
  if (gate)
    app.addHook("preHandler", async (req, reply) => {
      if (req.method !== "GET" && req.method !== "HEAD") return;
      const cid = (req.params as { cid?: unknown } | undefined)?.cid;
      const b = typeof cid === "string" ? gate.blockOf(cid) : undefined;
      if (!b) return;
      gets({ result: "blocked" });
      const e = new BlockedError(b);
      return sendError(reply, 451, e.code, e.shortMessage);
    });
  app.addContentTypeParser("*", (_req, _payload, done) => done(null));

  app.setErrorHandler((err, _req, reply) => {
    if (isBaseError(err)) return sendError(reply, STATUS[err.code] ?? 500, err.code, err.shortMessage);
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    const code = status === 413 ? ErrorCode.TooLarge : status < 500 ? ErrorCode.InvalidArgument : ErrorCode.Internal;
    return sendError(reply, status, code, status < 500 ? (err as Error).message : "internal error");
  });
  app.setNotFoundHandler((req, reply) =>
    sendError(reply, 404, ErrorCode.NotFound, `no route ${req.method} ${req.url.split("?")[0]}`),
  );

  const missingMessage = (cid: string) =>
    storage.wasQuarantined(cid)
      ? `chunk ${cid} failed its integrity check on this node and was quarantined`
      : `chunk ${cid} is not stored on this node`;

  /** Validates the `:cid` parameter before any I/O; malformed CIDs are a 400 with the reason. */
  const cidParam = (params: unknown): string => parseCid((params as { cid: string }).cid).cid;

  /** Free bytes on the store's file system (null when the platform cannot tell). */
  const freeBytes = async (): Promise<number | null> => {
    const st = await statfs(storage.root).catch(() => null);
    return st ? st.bavail * st.bsize : null;
  };

  /**
   * After a refusal the rest of the body is read and dropped for a short while (so the client, still
   * sending, gets to read the answer instead of a reset), but never more than one body's worth or longer
   * than LINGER_MS: then the connection is closed.
   */
  const linger = (req: FastifyRequest) => {
    const raw = req.raw;
    if (raw.complete) return;
    let dropped = 0;
    const cut = () => raw.socket?.destroy();
    const timer = setTimeout(cut, LINGER_MS);
    raw.on("data", (d: Buffer) => {
      dropped += d.length;
      if (dropped > maxBody) cut();
    });
    raw.once("end", () => clearTimeout(timer));
    raw.once("close", () => clearTimeout(timer));
    raw.resume();
  };

  /** A refusal before the body is read. */
  const refuse = (
    req: FastifyRequest,
    reply: FastifyReply,
    status: number,
    code: string,
    message: string,
    result: string,
  ) => {
    puts({ result });
    linger(req);
    return sendError(reply, status, code, message);
  };

  app.put("/chunks/:cid", async (req, reply) => {
    let cid: string;
    try {
      cid = cidParam(req.params);
    } catch (e) {
      puts({ result: "bad_request" });
      throw e;
    }
    const header = req.headers["content-length"];
    const declared = header === undefined ? undefined : Number(header);
    if (declared !== undefined && declared > maxBody)
      return refuse(
        req,
        reply,
        413,
        ErrorCode.TooLarge,
        `chunk body of ${declared} bytes exceeds the limit of ${maxBody} bytes`,
        "too_large",
      );

    // 1. Authority: a trusted coordinator's ticket for this node, this CID and this size.
    let ticket: VerifiedTicket | undefined;
    if (authority !== "open") {
      const raw = req.headers[TICKET_HEADER];
      try {
        ticket = checkTicket(typeof raw === "string" ? raw : undefined, {
          trustedCoordinators: authority,
          nodeId: identity.nodeId,
          cid,
          nowMs: now(),
        });
      } catch (e) {
        if (!isBaseError(e)) throw e;
        return refuse(req, reply, raw === undefined ? 401 : 403, e.code, e.shortMessage, "unauthorized");
      }
      if (ticket.size > maxBody)
        return refuse(
          req,
          reply,
          413,
          ErrorCode.TooLarge,
          `ticket size ${ticket.size} exceeds the limit of ${maxBody} bytes`,
          "too_large",
        );
      if (declared !== undefined && declared !== ticket.size)
        return refuse(
          req,
          reply,
          400,
          ErrorCode.InvalidArgument,
          `content-length ${declared} differs from the ticket's size ${ticket.size}`,
          "bad_request",
        );
    }
    const size = ticket?.size ?? declared;

    // 2. Room: configured capacity and real free space, counting uploads already in progress.
    if (size !== undefined) {
      const held = storage.stats().bytes;
      if (options.capacityBytes !== undefined && held + reserved + size > options.capacityBytes)
        return refuse(
          req,
          reply,
          507,
          ErrorCode.InsufficientStorage,
          `node capacity of ${options.capacityBytes} bytes reached (${held} stored, ${reserved} in progress): chunk not stored`,
          "full",
        );
      const free = await freeBytes();
      if (free !== null && free - reserved < size + reserveFree)
        return refuse(
          req,
          reply,
          507,
          ErrorCode.InsufficientStorage,
          `this node's disk has ${Math.max(0, free - reserved)} bytes free: chunk of ${size} bytes not stored`,
          "full",
        );
    }

    // 3. Bounded work: uploads at once, and bytes per uploader per window.
    if (uploading >= maxUploads) {
      reply.header("retry-after", "1");
      return refuse(
        req,
        reply,
        503,
        ErrorCode.Unavailable,
        `${uploading} uploads in progress (the limit): retry shortly`,
        "busy",
      );
    }
    const uploader = ticket ? ticket.ticket.uploader || identity.nodeId : `ip:${req.ip}`;
    const charge = size ?? maxBody;
    // Heals are the network repairing itself: they are not charged to anyone's quota.
    const charged = ticket?.kind !== "heal";
    if (charged) {
      const q = quota.reserve(uploader, charge);
      if (!q.ok) {
        reply.header("retry-after", String(Math.ceil(q.retryAfterMs / 1000)));
        return refuse(
          req,
          reply,
          429,
          ErrorCode.RateLimited,
          `uploader ${uploader.slice(0, 48)} has stored ${q.used} of its ${quota.perWindow} bytes this window`,
          "quota",
        );
      }
    }

    uploading++;
    reserved += charge;
    let result: Awaited<ReturnType<LocalFsStorage["putChunk"]>> | undefined;
    try {
      result = await storage.putChunk(cid, req.raw, {
        maxBytes: Math.min(maxBody, size ?? maxBody),
        ...(ticket ? { expectedSize: ticket.size } : {}),
      });
    } catch (e) {
      const code = isBaseError(e) ? e.code : "error";
      if (code === ErrorCode.InsufficientStorage)
        diskFull = { at: now(), message: (e as Error).message.split("\n")[0]! };
      puts({
        result:
          code === ErrorCode.TooLarge
            ? "too_large"
            : code === ErrorCode.Integrity
              ? "hash_mismatch"
              : code === ErrorCode.InsufficientStorage
                ? "full"
                : "error",
      });
      linger(req);
      throw e;
    } finally {
      uploading--;
      reserved -= charge;
      if (charged && !result?.created) quota.release(uploader, charge);
      else if (charged && result && result.size < charge) quota.release(uploader, charge - result.size);
    }
    puts({ result: result.created ? "created" : "existing" });
    if (ticket) options.inFlight?.note(cid, ticket.expiresAtMs);
    if (result.created) {
      bytesIn({}, result.size);
      diskFull = undefined;
    }
    const ack = signAck(
      { cid, size: result.size, zone, receivedAtMs: now(), ...(ticket ? { ticket } : {}) },
      identity.publicKey,
      identity.secretKey,
    );
    return reply.code(result.created ? 201 : 200).send({
      cid,
      size: result.size,
      created: result.created,
      nodeId: identity.nodeId,
      zone,
      ...(ticket ? { ticketId: Buffer.from(ticket.id).toString("hex") } : {}),
      ack: Buffer.from(ack).toString("base64"),
    });
  });

  app.head("/chunks/:cid", async (req, reply) => {
    const cid = cidParam(req.params);
    const info = await storage.statChunk(cid);
    heads({ result: info ? "found" : "missing" });
    if (!info) return reply.code(404).send();
    return reply
      .code(200)
      .headers({
        "content-length": info.size,
        "accept-ranges": "bytes",
        etag: `"${cid}"`,
        "content-type": "application/octet-stream",
      })
      .send();
  });

  app.get("/chunks/:cid", async (req, reply) => {
    const cid = cidParam(req.params);
    const info = await storage.statChunk(cid);
    if (!info) {
      gets({ result: "missing" });
      return sendError(reply, 404, ErrorCode.NotFound, missingMessage(cid));
    }
    const range = parseRange(req.headers.range, info.size);
    if (range === "unsatisfiable") {
      gets({ result: "bad_range" });
      reply.header("content-range", `bytes */${info.size}`);
      return sendError(
        reply,
        416,
        ErrorCode.InvalidArgument,
        `range "${req.headers.range}" cannot be satisfied for ${info.size} bytes`,
      );
    }
    let read: Awaited<ReturnType<LocalFsStorage["getChunk"]>>;
    try {
      read = await storage.getChunk(cid, range ?? undefined);
    } catch (e) {
      if (isBaseError(e) && e.code === ErrorCode.Integrity) {
        gets({ result: "corrupt" });
        corrupt();
        return sendError(reply, 500, ErrorCode.Integrity, e.shortMessage);
      }
      throw e;
    }
    if (!read) {
      gets({ result: "missing" });
      return sendError(reply, 404, ErrorCode.NotFound, missingMessage(cid));
    }
    const length = read.range.end - read.range.start + 1;
    read.stream.on("error", (e) => {
      // Headers are gone already: the only honest signal left is to cut the connection short.
      if (isBaseError(e) && e.code === ErrorCode.Integrity) corrupt();
      gets({ result: "aborted" });
    });
    read.stream.on("end", () => {
      gets({ result: range ? "partial" : "ok" });
      bytesOut({}, length);
    });
    reply.headers({
      "content-type": "application/octet-stream",
      "content-length": length,
      "accept-ranges": "bytes",
      etag: `"${cid}"`,
      "cache-control": "public, max-age=31536000, immutable",
    });
    if (range) reply.code(206).header("content-range", `bytes ${range.start}-${range.end}/${info.size}`);
    return reply.send(read.stream);
  });

  // Reads keep working on a full disk, so health stays 200 — but says plainly that writes are refused.
  app.get("/health", async () => {
    const { chunks, bytes } = storage.stats();
    const free = await freeBytes();
    const problems: string[] = [];
    if (diskFull) problems.push(`disk full since ${new Date(diskFull.at).toISOString()}: ${diskFull.message}`);
    if (free !== null && free < reserveFree) problems.push(`only ${free} bytes free on disk`);
    if (options.capacityBytes !== undefined && bytes >= options.capacityBytes)
      problems.push(`capacity of ${options.capacityBytes} bytes reached`);
    return {
      status: problems.length ? "degraded" : "ok",
      nodeId: identity.nodeId,
      zone,
      chunks,
      bytes,
      acceptingWrites: problems.length === 0,
      ...(problems.length ? { problems } : {}),
      freeBytes: free,
      capacityBytes: options.capacityBytes ?? null,
      uploadsInProgress: uploading,
      tickets: authority === "open" ? "not required" : "required",
      uptimeSeconds: Math.floor((Date.now() - startedAt) / 1000),
    };
  });

  app.get("/metrics", async (_req, reply) =>
    reply.type("text/plain; version=0.0.4; charset=utf-8").send(metrics.render()),
  );

  return { app, metrics };
}
