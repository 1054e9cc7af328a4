/** @module IPFS trustless gateway on the ingress: `GET /ipfs/{cid}` as a raw block or a CAR of a file's blocks. */
import { Readable } from "node:stream";
import { CarWriter } from "@ipld/car/writer";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { CID } from "multiformats/cid";
import { isValidCid } from "../../common/cid.js";
import { IntegrityError } from "../../common/errors.js";
import { assertServable, type ComplianceGate } from "../compliance/blockList.js";
import type { ReplayFollower } from "../da/replay/follower.js";
import { decodeManifest, MAX_MANIFEST_BYTES } from "../storage/manifest.js";
import type { ChunkFetcher } from "./chunkFetcher.js";
import type { FileLayout, ManifestCache } from "./manifestCache.js";

export const RAW_TYPE = "application/vnd.ipld.raw";
export const CAR_TYPE = "application/vnd.ipld.car";

export interface TrustlessDeps {
  readonly follower: ReplayFollower;
  readonly fetcher: ChunkFetcher;
  readonly manifests: ManifestCache;
  /** Governance's blocked CIDs (the fetcher refuses them too; this refuses a CAR before it starts). */
  readonly gate?: ComplianceGate;
}

type Format = "raw" | "car";

/**
 * The response format, from `?format=` first and then the Accept header, as the trustless gateway spec
 * orders them. Undefined when the client asked for neither: a trustless gateway serves only verifiable
 * types, so that is a 406, never a deserialized answer.
 */
export function pickFormat(format: string | undefined, accept: string | undefined): Format | undefined | "bad" {
  if (format !== undefined) return format === "raw" || format === "car" ? format : "bad";
  for (const part of (accept ?? "").slice(0, 1024).split(",")) {
    const [type, ...params] = part
      .trim()
      .split(";")
      .map((s) => s.trim().toLowerCase());
    if (type === RAW_TYPE) return "raw";
    if (type === CAR_TYPE) {
      // Only what we produce: CARv1, depth-first, no duplicate blocks.
      const bad = params.some(
        (p) => (p.startsWith("version=") && p !== "version=1") || (p.startsWith("order=") && p !== "order=dfs"),
      );
      if (!bad) return "car";
    }
  }
  return undefined;
}

/** Adds the trustless routes. Only blocks DA state declares (and some owner pins) are served, as /object does. */
export function registerTrustlessGateway(app: FastifyInstance, d: TrustlessDeps): void {
  const refuse = (reply: FastifyReply, status: number, message: string) =>
    reply.code(status).type("text/plain; charset=utf-8").send(`${message}\n`);

  const layoutOf = async (cid: string, size: bigint): Promise<FileLayout> => {
    const hit = d.manifests.get(cid);
    if (hit) return hit;
    if (size > BigInt(MAX_MANIFEST_BYTES))
      throw new IntegrityError(`${cid} is ${size} bytes: larger than any valid manifest`);
    return d.manifests.put(cid, decodeManifest(await d.fetcher.get(cid), cid));
  };

  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const { cid, "*": rest } = req.params as { cid: string; "*"?: string };
    const q = req.query as { format?: string; "dag-scope"?: string };
    if (rest) return refuse(reply, 400, "paths under a CID are not supported: DSDN CIDs are raw blocks");
    if (!isValidCid(cid)) return refuse(reply, 400, `"${cid.slice(0, 80)}" is not a CIDv1 raw sha2-256`);
    const format = pickFormat(q.format, req.headers.accept);
    if (format === "bad") return refuse(reply, 400, `unsupported format "${String(q.format).slice(0, 20)}"`);
    if (!format)
      return refuse(reply, 406, `ask for ${RAW_TYPE} or ${CAR_TYPE} (or ?format=raw|car): only verifiable answers`);
    const scope = q["dag-scope"] ?? "all";
    if (scope !== "all" && scope !== "entity" && scope !== "block")
      return refuse(reply, 400, `unsupported dag-scope "${scope.slice(0, 20)}"`);
    const declared = d.follower.state.getChunk(cid);
    if (!declared) return refuse(reply, 404, `${cid} is not declared on DA (or no owner pins it)`);
    const common = {
      "x-content-type-options": "nosniff",
      "cache-control": "public, max-age=29030400, immutable",
      "x-ipfs-path": `/ipfs/${cid}`,
      vary: "Accept",
    };
    if (format === "raw") {
      const bytes = await d.fetcher.get(cid);
      return reply
        .headers({
          ...common,
          "content-type": RAW_TYPE,
          "content-length": bytes.length,
          etag: `"${cid}.raw"`,
          "content-disposition": `attachment; filename="${cid}.bin"`,
        })
        .send(bytes);
    }
    // CAR: the root block, then (for a manifest, unless dag-scope=block) every chunk in file order.
    const isManifest = declared.manifests.includes(cid);
    const root = await d.fetcher.get(cid);
    const parts = isManifest && scope !== "block" ? (await layoutOf(cid, declared.size)).parts : [];
    // Refused before the headers go out, rather than a CAR cut short at the first blocked chunk.
    if (d.gate)
      assertServable(
        d.gate,
        parts.map((p) => p.cid),
      );
    const { writer, out } = CarWriter.create([CID.parse(cid)]);
    const fill = async () => {
      await writer.put({ cid: CID.parse(cid), bytes: root });
      const seen = new Set([cid]);
      for (const p of parts) {
        if (seen.has(p.cid)) continue; // car-dups=n: each block once
        seen.add(p.cid);
        await writer.put({ cid: CID.parse(p.cid), bytes: await d.fetcher.get(p.cid) });
      }
      await writer.close();
    };
    const body = Readable.from(out);
    // Headers are gone by then: cutting the body is the only signal left; a CAR reader sees it truncated.
    fill().catch((e) => body.destroy(e as Error));
    return reply
      .headers({
        ...common,
        "content-type": `${CAR_TYPE}; version=1; order=dfs; dups=n`,
        etag: `"${cid}.car.${scope}"`,
        "content-disposition": `attachment; filename="${cid}.car"`,
      })
      .send(body);
  };

  const schema = {
    querystring: {
      type: "object",
      properties: {
        format: { type: "string", maxLength: 16 },
        "dag-scope": { type: "string", maxLength: 16 },
        "car-version": { type: "string", maxLength: 4 },
        "car-order": { type: "string", maxLength: 8 },
        "car-dups": { type: "string", maxLength: 4 },
      },
    },
  };
  app.get("/ipfs/:cid", { schema }, handler);
  app.get("/ipfs/:cid/*", { schema }, handler);
}
