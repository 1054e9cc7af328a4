/** @module Upload through the network: the coordinator's placement decides where each chunk goes; the uploader's signed declaration records it on DA. */
import { CoordinatorClient } from "../../node-agent/coordinator/client.js";
import { signUploadDeclaration } from "../../node-agent/da/events/declaration.js";
import { UploadDeclaration } from "../../proto/gen/dsdn/da/v1/events.js";
import { type ShardInfo, type UploadParameters, type UploadReturnType, uploadFile } from "./upload.js";
import type { UploaderKey } from "./uploaderKey.js";

export interface NetworkUploadParameters extends Omit<UploadParameters, "nodes" | "route"> {
  readonly coordinator: string;
  /** The uploader's chain key: it signs the declaration and owns the pin. */
  readonly key: UploaderKey;
  /** DA heights the declaration stays valid for (default 1000). */
  readonly lifetime?: bigint;
}

export interface NetworkUploadReturnType extends UploadReturnType {
  readonly uploader: string;
  readonly daHeight: string;
  /** Placement and acknowledged replicas per chunk (the manifest included). */
  readonly placements: { cid: string; placement: string[]; replicas: string[] }[];
}

const DECLARE_BATCH = 1024;

export async function uploadViaCoordinator(p: NetworkUploadParameters): Promise<NetworkUploadReturnType> {
  const coordinator = new CoordinatorClient(p.coordinator);
  const uploader = p.key.address;
  const acked = new Map<string, { cid: string; size: number; acks: string[]; shard?: ShardInfo }>();
  const result = await uploadFile({
    ...p,
    nodes: [],
    route: {
      // The coordinator's placement tickets: each placed node stores the chunk only under its own.
      nodesFor: async (cid, size, shard) => {
        const { tickets } = await coordinator.tickets(cid, size, p.key, shard);
        return tickets.map((t) => ({ url: t.endpoint, ticket: t.ticket }));
      },
      onAcks: (cid, size, acks, shard) => {
        const e = acked.get(cid) ?? { cid, size, acks: [], ...(shard ? { shard } : {}) };
        for (const a of acks) if (!e.acks.includes(a.ack)) e.acks.push(a.ack);
        acked.set(cid, e);
      },
    },
  });
  // One signature covers the whole file: manifest first, then every chunk, as (cid, size).
  const all = [...acked.values()].sort((a, b) => Number(b.cid === result.manifest) - Number(a.cid === result.manifest));
  const head = BigInt((await coordinator.health()).daHeight);
  const { declaration, proofs } = signUploadDeclaration(
    {
      manifestCid: result.manifest,
      objects: all.map((o) => ({ cid: o.cid, size: BigInt(o.size) })),
      signedAtHeight: head,
      expiresAtHeight: head + (p.lifetime ?? 1000n),
    },
    p.key,
  );
  const declarationB64 = Buffer.from(UploadDeclaration.encode(declaration).finish()).toString("base64");
  const placements: NetworkUploadReturnType["placements"] = [];
  let daHeight = "0";
  for (let i = 0; i < all.length; i += DECLARE_BATCH) {
    const r = await coordinator.declare({
      declaration: declarationB64,
      chunks: all.slice(i, i + DECLARE_BATCH).map((o, k) => ({
        ...o,
        index: i + k,
        proof: proofs[i + k]!.map((x) => Buffer.from(x).toString("base64")),
      })),
    });
    placements.push(...r.chunks);
    daHeight = r.daHeight;
  }
  return { ...result, uploader, daHeight, placements };
}
