/** @module The storage node's chunk server: streaming PUT/GET/HEAD of chunks, health and Prometheus metrics. */
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import { parseCid } from "../../common/cid.js";
import { ErrorCode, isBaseError } from "../../common/errors.js";
import { signAck } from "./ack.js";
import { MAX_CHUNK_SIZE } from "./chunker.js";
import type { NodeIdentity } from "./identity.js";
import type { LocalFsStorage } from "./localfs.js";
import { Metrics } from "./metrics.js";
import { parseRange } from "./range.js";

/** Largest chunk plus room for the AES-GCM tag and a large manifest. */
export const DEFAULT_MAX_BODY = MAX_CHUNK_SIZE + 4096;

export interface ChunkServerOptions {
  readonly storage: LocalFsStorage;
  readonly identity: NodeIdentity;
  readonly zone: string;
  readonly maxBodyBytes?: number;
}

/** HTTP status for each stable error code. */
const STATUS: Partial<Record<string, number>> = {
  [ErrorCode.InvalidArgument]: 400,
  [ErrorCode.Decode]: 400,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Integrity]: 422,
  [ErrorCode.TooLarge]: 413,
  [ErrorCode.Unavailable]: 503,
};

function sendError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).type("application/json").send({ error: { code, message } });
}

export interface ChunkServer {
  readonly app: FastifyInstance;
  readonly metrics: Metrics;
}

export function createChunkServer(options: ChunkServerOptions): ChunkServer {
  const { storage, identity, zone } = options;
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
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

  const app = Fastify({ logger: false, bodyLimit: maxBody, exposeHeadRoutes: false });
  // Chunk bodies are streamed straight to disk by the handler, never parsed or buffered.
  app.removeAllContentTypeParsers();
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

  app.put("/chunks/:cid", async (req, reply) => {
    let cid: string;
    try {
      cid = cidParam(req.params);
    } catch (e) {
      puts({ result: "bad_request" });
      throw e;
    }
    const declared = Number(req.headers["content-length"] ?? Number.NaN);
    if (declared > maxBody) {
      puts({ result: "too_large" });
      return sendError(
        reply,
        413,
        ErrorCode.TooLarge,
        `chunk body of ${declared} bytes exceeds the limit of ${maxBody} bytes`,
      );
    }
    let result: Awaited<ReturnType<LocalFsStorage["putChunk"]>>;
    try {
      result = await storage.putChunk(cid, req.raw, { maxBytes: maxBody });
    } catch (e) {
      const code = isBaseError(e) ? e.code : "error";
      puts({
        result: code === ErrorCode.TooLarge ? "too_large" : code === ErrorCode.Integrity ? "hash_mismatch" : "error",
      });
      throw e;
    }
    puts({ result: result.created ? "created" : "existing" });
    if (result.created) bytesIn({}, result.size);
    const ack = signAck(
      { cid, size: result.size, zone, receivedAtMs: Date.now() },
      identity.publicKey,
      identity.secretKey,
    );
    return reply.code(result.created ? 201 : 200).send({
      cid,
      size: result.size,
      created: result.created,
      nodeId: identity.nodeId,
      zone,
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

  app.get("/health", async () => ({
    status: "ok",
    nodeId: identity.nodeId,
    zone,
    chunks: storage.stats().chunks,
    bytes: storage.stats().bytes,
    uptimeSeconds: Math.floor((Date.now() - startedAt) / 1000),
  }));

  app.get("/metrics", async (_req, reply) =>
    reply.type("text/plain; version=0.0.4; charset=utf-8").send(metrics.render()),
  );

  return { app, metrics };
}
