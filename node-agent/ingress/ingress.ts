/** @module The HTTP ingress: serves objects by CID from DA-derived state only (no state of its own). */
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { isValidCid } from "../../common/cid.js";
import { ErrorCode, IntegrityError, isBaseError } from "../../common/errors.js";
import { assertServable, BlockedError, type ComplianceGate, NO_BLOCKS } from "../compliance/blockList.js";
import { HealthMonitor } from "../coordinator/healthMonitor.js";
import type { ReplayFollower } from "../da/replay/follower.js";
import type { DALayer } from "../da/types.js";
import { disclose, registerDisclosure, requestLevel } from "../http/disclosure.js";
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
import {
  contentTypeOf,
  MAX_SITE_MANIFEST_BYTES,
  openSiteManifest,
  resolveSitePath,
  type SiteManifest,
} from "./siteManifest.js";
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
    // `?level=0..3` is the shared disclosure contract; `?details=1` (without a level) is this API's older spelling.
    const level = requestLevel(req);
    if (level !== undefined) return disclose(details as Record<string, unknown>, level, { summary }, audit()) as Answer;
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
  registerDisclosure(app, {
    service: "ingress",
    audit: () => ({ daHeight: follower.height.toString(), stateDigest: follower.digestHex() }),
  });
  app.setErrorHandler((err, req, reply) => {
    const status = isBaseError(err)
      ? err.code === ErrorCode.NotFound
        ? 404
        : err.code === ErrorCode.RateLimited
          ? 429
          : err.code === ErrorCode.Blocked
            ? 451
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
    async (req, reply) => {
      const { cid } = req.params as { cid: string };
      if (!isValidCid(cid))
        return fail(
          req,
          reply,
          400,
          ErrorCode.InvalidArgument,
          `"${cid.slice(0, 80)}" is not a CIDv1 raw sha2-256`,
          {},
        );
      const attempts: FetchAttempt[] = [];
      const layout = await layoutOf(cid, attempts);
      if (!layout)
        return fail(req, reply, 404, ErrorCode.NotFound, `${cid} is not declared on DA (or no owner pins it)`, { cid });
      const { parts, name, isManifest } = layout;
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
      return sendParts(req, reply, cid, parts, "application/octet-stream", 200);
    },
  );

  /** A declared object's chunk layout (a file's manifest read and cached); null when DA does not declare it. */
  async function layoutOf(
    cid: string,
    attempts: FetchAttempt[],
  ): Promise<{ parts: readonly Part[]; name: string; isManifest: boolean } | null> {
    // Only objects some owner still pins: a fully deleted file is gone from DA state, so from here too.
    const declared = follower.state.getChunk(cid);
    if (!declared) return null;
    const isManifest = declared.manifests.includes(cid);
    if (!isManifest) return { parts: [{ cid, size: Number(declared.size) }], name: "", isManifest };
    let layout = manifests.get(cid);
    if (!layout) {
      // Refused before it is fetched or decoded when the declared size cannot be a valid manifest.
      if (declared.size > BigInt(MAX_MANIFEST_BYTES))
        throw new IntegrityError(`${cid} is ${declared.size} bytes: larger than any valid manifest`);
      layout = manifests.put(cid, decodeManifest(await fetcher.get(cid, attempts), cid));
    }
    return { parts: layout.parts, name: layout.name, isManifest };
  }

  /** Sends the object made of `parts` (Range honoured), verified chunk by chunk as it streams. */
  async function sendParts(
    req: FastifyRequest,
    reply: FastifyReply,
    cid: string,
    parts: readonly Part[],
    contentType: string,
    status: 200 | 404,
  ) {
    assertServable(gate, [cid, ...parts.map((p) => p.cid)]);
    const total = parts.reduce((n, p) => n + p.size, 0);
    const range = status === 200 ? parseRange(req.headers.range, total) : undefined;
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
    reply.code(status).headers({
      "content-type": contentType,
      "content-length": r.end - r.start + 1,
      "accept-ranges": "bytes",
      etag: `"${cid}"`,
      "cache-control": status === 200 ? "public, max-age=31536000, immutable" : "no-store",
    });
    if (range) reply.code(206).header("content-range", `bytes ${r.start}-${r.end}/${total}`);
    // The first chunk is fetched before headers go out, so a fully unavailable object is a clean error.
    const pieces = spans(parts, r);
    const first = pieces.length ? await fetcher.part(pieces[0]!.part) : undefined;
    return reply.send(Readable.from(stream(pieces, first)));
  }

  /** Verified site manifests by CID (immutable, so cached; bounded). */
  const sites = new Map<string, SiteManifest>();
  async function siteOf(cid: string): Promise<SiteManifest | null> {
    const hit = sites.get(cid);
    if (hit) return hit;
    const layout = await layoutOf(cid, []);
    if (!layout) return null;
    const size = layout.parts.reduce((n, p) => n + p.size, 0);
    if (size > MAX_SITE_MANIFEST_BYTES) throw new IntegrityError(`${cid} is too large to be a site manifest`);
    const bytes = Buffer.concat(await Promise.all(layout.parts.map((p) => fetcher.part(p))));
    const site = openSiteManifest(bytes, cid);
    if (sites.size >= 256) sites.delete(sites.keys().next().value!);
    sites.set(cid, site);
    return site;
  }

  // Static sites: `/site/<site manifest CID>/<path>` — index.html for directories, the site's 404.html when missing.
  const siteRoute = async (req: FastifyRequest, reply: FastifyReply) => {
    const { cid, "*": rest = "" } = req.params as { cid: string; "*"?: string };
    if (!isValidCid(cid))
      return fail(req, reply, 400, ErrorCode.InvalidArgument, `"${cid.slice(0, 80)}" is not a CIDv1 raw sha2-256`, {});
    const site = await siteOf(cid);
    if (!site) return fail(req, reply, 404, ErrorCode.NotFound, `site ${cid} is not declared on DA`, { cid });
    // A site whose owner-signed manifest names a forbidden CID is refused whole, until governance unblocks it.
    assertServable(
      gate,
      site.files.map((f) => f.cid),
    );
    const path = rest.split("?")[0]!;
    const hit = resolveSitePath(site, decodeURIComponent(path));
    if (!hit) return fail(req, reply, 404, ErrorCode.NotFound, `no ${path || "index.html"} on site ${cid}`, { path });
    const layout = await layoutOf(hit.file.cid, []);
    if (!layout)
      return fail(req, reply, 404, ErrorCode.NotFound, `${hit.file.path} is no longer pinned by its owner`, {
        path: hit.file.path,
      });
    return sendParts(req, reply, hit.file.cid, layout.parts, contentTypeOf(hit.file.path), hit.status);
  };
  const siteSchema = {
    schema: {
      params: {
        type: "object",
        required: ["cid"],
        properties: { cid: { type: "string", maxLength: 128 }, "*": { type: "string", maxLength: 2048 } },
      },
    },
  };
  app.get("/site/:cid", siteSchema, siteRoute);
  app.get("/site/:cid/*", siteSchema, siteRoute);

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
