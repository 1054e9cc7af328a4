/** @module The HTTP ingress: serves objects by CID from DA-derived state only (no state of its own). */
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { isValidCid } from "../../common/cid.js";
import { BaseError, ErrorCode, IntegrityError, isBaseError } from "../../common/errors.js";
import { checkAppManifest, MAX_APP_MANIFEST_BYTES } from "../compliance/appManifest.js";
import { assertServable, BlockedError, type ComplianceGate, NO_BLOCKS } from "../compliance/blockList.js";
import { HealthMonitor } from "../coordinator/healthMonitor.js";
import type { ReplayFollower } from "../da/replay/follower.js";
import type { DALayer } from "../da/types.js";
import {
  applyServiceLimits,
  DEFAULT_LIMITS,
  type ServiceLimits,
  type ServiceTimeouts,
  serverTimeouts,
} from "../http/serviceLimits.js";
import { decodeManifest, MAX_MANIFEST_BYTES } from "../storage/manifest.js";
import { parseRange } from "../storage/range.js";
import type { ByteRange } from "../storage/storage.js";
import { ChunkCache } from "./chunkCache.js";
import { ChunkFetcher, type FetchAttempt } from "./chunkFetcher.js";
import { type FilePart, ManifestCache } from "./manifestCache.js";
import { registerTrustlessGateway } from "./trustless.js";

/** Chunks listed per `?details=1` page by default, and at most. */
export const DETAILS_PAGE = 100;
export const MAX_DETAILS_PAGE = 1000;

export interface IngressOptions {
  readonly da: DALayer;
  readonly follower: ReplayFollower;
  /** This ingress's zone: replicas there are preferred. */
  readonly zone?: string;
  readonly cacheBytes?: number;
  readonly probeIntervalMs?: number;
  readonly timeouts?: ServiceTimeouts;
  readonly limits?: ServiceLimits;
  /** Governance's blocked CIDs and routes (node-agent/compliance, fed by chain events); none when absent. */
  readonly compliance?: ComplianceGate;
  /** Where 5xx causes go (with the reference the client sees). Default: stderr. */
  readonly log?: (line: string) => void;
}

/** Progressive disclosure: a one-line summary, details on request, and the audit trail (what state answered). */
interface Answer {
  summary: string;
  details?: unknown;
  audit: { daHeight: string; stateDigest: string; at: string };
}

export interface Ingress {
  readonly app: FastifyInstance;
  readonly health: HealthMonitor;
  readonly cache: ChunkCache;
  stop(): Promise<void>;
}

type Part = FilePart;

export function createIngress(o: IngressOptions): Ingress {
  const follower = o.follower;
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const health = new HealthMonitor({
    targets: () =>
      follower.state.listNodes({ status: "active" }).map((n) => ({ nodeId: n.nodeId, endpoint: n.endpoint })),
    intervalMs: o.probeIntervalMs ?? 1000,
  });
  const cache = new ChunkCache(o.cacheBytes ?? 256 * 1024 * 1024);
  const gate = o.compliance ?? NO_BLOCKS;
  const fetcher = new ChunkFetcher(() => follower.state, health, o.zone, cache, gate);
  const manifests = new ManifestCache();
  health.start();

  const audit = (): Answer["audit"] => ({
    daHeight: follower.height.toString(),
    stateDigest: follower.digestHex(),
    at: new Date().toISOString(),
  });
  const answer = (req: FastifyRequest, summary: string, details: unknown): Answer => {
    const want = (req.query as { details?: string }).details;
    return { summary, ...(want === "1" || want === "true" ? { details } : {}), audit: audit() };
  };
  const fail = (
    req: FastifyRequest,
    reply: FastifyReply,
    status: number,
    code: string,
    summary: string,
    details: unknown,
  ) =>
    reply
      .code(status)
      .type("application/json")
      .send(answer(req, summary, { code, ...(details as object) }));

  const app = Fastify({ logger: false, ...serverTimeouts(o.timeouts) });
  applyServiceLimits(app, o.limits ?? DEFAULT_LIMITS);
  app.setErrorHandler((err, req, reply) => {
    const status = isBaseError(err)
      ? err.code === ErrorCode.NotFound
        ? 404
        : err.code === ErrorCode.RateLimited
          ? 429
          : err.code === ErrorCode.Blocked
            ? 451
            : err.code === ErrorCode.InvalidSignature
              ? 422
              : err.code === ErrorCode.Unavailable
                ? 502
                : err.code === ErrorCode.Integrity
                  ? 422
                  : 500
      : ((err as { statusCode?: number }).statusCode ?? 500);
    const raw = isBaseError(err) ? err.shortMessage : (err as Error).message;
    if (status < 500)
      return fail(req, reply, status, isBaseError(err) ? err.code : ErrorCode.InvalidArgument, raw, {
        ...(isBaseError(err) && err.meta ? err.meta : {}),
      });
    // A 5xx never carries internal text (addresses, errno strings, stack-derived messages) to the client:
    // a fixed summary and a reference the operator finds in the log next to the real message.
    const ref = randomBytes(6).toString("hex");
    log(`ingress ${req.method} ${req.url.slice(0, 200)} -> ${status} [ref ${ref}]: ${raw}`);
    const attempts = isBaseError(err) && Array.isArray(err.meta?.attempts) ? (err.meta.attempts as FetchAttempt[]) : [];
    return fail(
      req,
      reply,
      status,
      status === 502 ? ErrorCode.Unavailable : ErrorCode.Internal,
      status === 502 ? "no replica could serve this object right now; try again later" : "internal error",
      { ref, ...(attempts.length ? { attempts: attempts.map((a) => ({ nodeId: a.nodeId, ok: a.ok })) } : {}) },
    );
  });

  // Before any handler: a blocked route (whatever path form reaches it) or a blocked CID in the path is refused
  // with the decision and the appeal path; a file whose manifest lists a blocked chunk is refused in its handler.
  app.addHook("preHandler", async (req) => {
    const route = gate.routeBlock(req.url);
    if (route) throw new BlockedError(route);
    const cid = (req.params as { cid?: unknown } | undefined)?.cid;
    if (typeof cid === "string") assertServable(gate, [cid]);
  });

  app.get(
    "/health",
    { schema: { querystring: { type: "object", properties: { details: { type: "string" } } } } },
    async (req, reply) => {
      // Status only: the DA health detail names internal endpoints and errors.
      const da = await o.da.health().then(
        (h) => ({ ok: h.status !== "down", status: h.status }),
        () => ({ ok: false, status: "down" }),
      );
      const nodes = follower.state.listNodes({ status: "active" }).map((n) => ({
        zone: n.zone,
        ...(health.get(n.nodeId) ?? { nodeId: n.nodeId, healthy: false }),
      }));
      const healthy = nodes.filter((n) => n.healthy).length;
      const daOk = (da as { ok?: boolean }).ok !== false;
      const summary = `${daOk ? "DA reachable" : "DA unreachable"}; ${healthy}/${nodes.length} Active storage nodes healthy; DA height ${follower.height}`;
      return reply.code(daOk && healthy > 0 ? 200 : 503).send(answer(req, summary, { da, nodes, cache: cache.size }));
    },
  );

  app.get(
    "/object/:cid",
    {
      schema: {
        params: { type: "object", required: ["cid"], properties: { cid: { type: "string", maxLength: 128 } } },
        querystring: {
          type: "object",
          properties: {
            details: { type: "string", maxLength: 8 },
            offset: { type: "integer", minimum: 0 },
            limit: { type: "integer", minimum: 1, maximum: MAX_DETAILS_PAGE },
          },
        },
      },
    },
    async (req, reply) => serveObject(req, reply, (req.params as { cid: string }).cid),
  );

  /** An object by CID (a chunk, or a file through its manifest), ranged, or its chunk list with ?details=1. */
  async function serveObject(req: FastifyRequest, reply: FastifyReply, cid: string, contentType?: string) {
    {
      if (!isValidCid(cid))
        return fail(
          req,
          reply,
          400,
          ErrorCode.InvalidArgument,
          `"${cid.slice(0, 80)}" is not a CIDv1 raw sha2-256`,
          {},
        );
      // Only objects some owner still pins: a fully deleted file is gone from DA state, so from here too.
      const declared = follower.state.getChunk(cid);
      if (!declared)
        return fail(req, reply, 404, ErrorCode.NotFound, `${cid} is not declared on DA (or no owner pins it)`, { cid });
      const isManifest = declared.manifests.includes(cid);
      const attempts: FetchAttempt[] = [];
      let parts: readonly Part[];
      let name = "";
      if (isManifest) {
        let layout = manifests.get(cid);
        if (!layout) {
          // Refused before it is fetched or decoded when the declared size cannot be a valid manifest.
          if (declared.size > BigInt(MAX_MANIFEST_BYTES))
            throw new IntegrityError(`${cid} is ${declared.size} bytes: larger than any valid manifest`);
          layout = manifests.put(cid, decodeManifest(await fetcher.get(cid, attempts), cid));
        }
        parts = layout.parts;
        name = layout.name;
      } else {
        parts = [{ cid, size: Number(declared.size) }];
      }
      assertServable(
        gate,
        parts.map((p) => p.cid),
      );
      const total = parts.reduce((n, p) => n + p.size, 0);
      const q = req.query as { details?: string; offset?: number; limit?: number };
      if (q.details === "1" || q.details === "true") {
        // Paginated: a file's chunk list can be long; each page names where the next one starts.
        const offset = q.offset ?? 0;
        const limit = q.limit ?? DETAILS_PAGE;
        const page = parts.slice(offset, offset + limit);
        return answer(req, `${isManifest ? "file" : "chunk"} ${cid}: ${total} bytes in ${parts.length} chunk(s)`, {
          cid,
          kind: isManifest ? "manifest" : "chunk",
          size: total,
          ...(name ? { name } : {}),
          chunkCount: parts.length,
          offset,
          chunks: page.map((p) => ({ ...p, replicas: fetcher.replicas(p.cid) })),
          ...(offset + page.length < parts.length ? { nextOffset: offset + page.length } : {}),
        });
      }
      const range = parseRange(req.headers.range, total);
      if (range === "unsatisfiable") {
        reply.header("content-range", `bytes */${total}`);
        return fail(
          req,
          reply,
          416,
          ErrorCode.InvalidArgument,
          `range "${req.headers.range}" cannot be satisfied for ${total} bytes`,
          {},
        );
      }
      const r: ByteRange = range ?? { start: 0, end: total - 1 };
      reply.headers({
        "content-type": contentType ?? "application/octet-stream",
        "content-length": r.end - r.start + 1,
        "accept-ranges": "bytes",
        etag: `"${cid}"`,
        "cache-control": "public, max-age=31536000, immutable",
      });
      if (range) reply.code(206).header("content-range", `bytes ${r.start}-${r.end}/${total}`);
      // The first chunk is fetched before headers go out, so a fully unavailable object is a clean error.
      const pieces = spans(parts, r);
      const first = pieces.length ? await fetcher.part(pieces[0]!.part) : undefined;
      return reply.send(Readable.from(stream(pieces, first)));
    }
  }

  /** A whole object's bytes (at most `max`), every chunk verified: for small documents such as app manifests. */
  async function readObject(cid: string, max: number): Promise<Buffer> {
    const declared = follower.state.getChunk(cid);
    if (!declared) throw new BaseError(ErrorCode.NotFound, `${cid} is not declared on DA (or no owner pins it)`);
    if (!declared.manifests.includes(cid)) {
      if (declared.size > BigInt(max)) throw new BaseError(ErrorCode.TooLarge, `${cid} is larger than ${max} bytes`);
      return fetcher.get(cid);
    }
    if (declared.size > BigInt(MAX_MANIFEST_BYTES))
      throw new IntegrityError(`${cid} is ${declared.size} bytes: larger than any valid manifest`);
    const layout = manifests.get(cid) ?? manifests.put(cid, decodeManifest(await fetcher.get(cid), cid));
    const total = layout.parts.reduce((n, p) => n + p.size, 0);
    if (total > max) throw new BaseError(ErrorCode.TooLarge, `${cid} is larger than ${max} bytes`);
    return Buffer.concat(await Promise.all(layout.parts.map((p) => fetcher.part(p))));
  }

  // Public apps: /app/{manifest}/{path} serves the file the owner-signed app manifest maps the path to. The
  // manifest is checked on every request (signature, then every CID it names against governance's blocks), so
  // an app naming a forbidden CID is refused whole, and served again once unblocked.
  const appHandler = async (req: FastifyRequest, reply: FastifyReply) => {
    const { cid, "*": rest } = req.params as { cid: string; "*"?: string };
    if (!isValidCid(cid))
      return fail(req, reply, 400, ErrorCode.InvalidArgument, `"${cid.slice(0, 80)}" is not a CIDv1 raw sha2-256`, {});
    const bytes = await readObject(cid, MAX_APP_MANIFEST_BYTES);
    let m: ReturnType<typeof checkAppManifest>;
    try {
      m = checkAppManifest(bytes, gate);
    } catch (e) {
      // A malformed manifest is the object's fault, not the request's: 422 like a bad signature.
      if (isBaseError(e) && (e.code === ErrorCode.InvalidArgument || e.code === ErrorCode.Decode))
        throw new IntegrityError(`${cid} is not a valid app manifest: ${e.shortMessage}`);
      throw e;
    }
    const path = rest ? `/${rest}` : "/index.html";
    const file = m.files[path] ?? m.files[`${path.replace(/\/$/, "")}/index.html`];
    if (!file) return fail(req, reply, 404, ErrorCode.NotFound, `app "${m.name}" has no file at ${path}`, { path });
    return serveObject(req, reply, file, contentTypeOf(path));
  };
  const appSchema = {
    params: { type: "object", required: ["cid"], properties: { cid: { type: "string", maxLength: 128 } } },
  };
  app.get("/app/:cid", { schema: appSchema }, appHandler);
  app.get("/app/:cid/*", { schema: appSchema }, appHandler);

  registerTrustlessGateway(app, { follower, fetcher, manifests, gate });

  /** Yields verified bytes in order; fetches one chunk ahead so the next replica round trip overlaps sending. */
  async function* stream(pieces: Span[], first: Buffer | undefined): AsyncGenerator<Buffer> {
    let current: Promise<Buffer> | undefined = first ? Promise.resolve(first) : undefined;
    for (let i = 0; i < pieces.length; i++) {
      const next = i + 1 < pieces.length ? fetcher.part(pieces[i + 1]!.part) : undefined;
      next?.catch(() => {}); // awaited in the next round; a failure there ends the stream
      const bytes = await (current ?? fetcher.part(pieces[i]!.part));
      const p = pieces[i]!;
      yield bytes.subarray(p.from, p.to + 1);
      current = next;
    }
  }

  return {
    app,
    health,
    cache,
    async stop() {
      await app.close();
      await health.stop();
      fetcher.close();
    },
  };
}

interface Span {
  readonly cid: string;
  readonly part: Part;
  /** Inclusive offsets inside the chunk. */
  readonly from: number;
  readonly to: number;
}

/** The chunk pieces covering byte range `r` of the concatenated object. */
function spans(parts: readonly Part[], r: ByteRange): Span[] {
  const out: Span[] = [];
  let offset = 0;
  for (const p of parts) {
    const start = offset;
    const end = offset + p.size - 1;
    offset += p.size;
    if (end < r.start || start > r.end) continue;
    out.push({ cid: p.cid, part: p, from: Math.max(r.start, start) - start, to: Math.min(r.end, end) - start });
  }
  return out;
}

const CONTENT_TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  json: "application/json",
  svg: "image/svg+xml",
  png: "image/png",
  jpg: "image/jpeg",
  txt: "text/plain; charset=utf-8",
  wasm: "application/wasm",
};
const contentTypeOf = (path: string): string =>
  CONTENT_TYPES[path.slice(path.lastIndexOf(".") + 1).toLowerCase()] ?? "application/octet-stream";
