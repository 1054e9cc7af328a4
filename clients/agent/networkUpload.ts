/** @module Upload through the network: the coordinator's placement decides where each chunk goes; it records the acks on DA. */
import { join } from "node:path";
import { CoordinatorClient } from "../../node-agent/coordinator/client.js";
import { loadOrCreateIdentity } from "../../node-agent/storage/identity.js";
import { dsdnHome } from "./keystore.js";
import { type UploadParameters, type UploadReturnType, uploadFile } from "./upload.js";

export interface NetworkUploadParameters extends Omit<UploadParameters, "nodes" | "route"> {
  readonly coordinator: string;
  /** The uploader recorded on DA (nusa1… address or node id); default: this machine's client key. */
  readonly uploader?: string;
}

export interface NetworkUploadReturnType extends UploadReturnType {
  readonly uploader: string;
  readonly daHeight: string;
  /** Placement and acknowledged replicas per chunk (the manifest included). */
  readonly placements: { cid: string; placement: string[]; replicas: string[] }[];
}

/** This machine's uploader identity: an ed25519 key in `<dsdn home>/client/node-key.json` (created once). */
export async function clientUploaderId(): Promise<string> {
  return (await loadOrCreateIdentity(join(dsdnHome(), "client"))).nodeId;
}

const DECLARE_BATCH = 1024;

export async function uploadViaCoordinator(p: NetworkUploadParameters): Promise<NetworkUploadReturnType> {
  const coordinator = new CoordinatorClient(p.coordinator);
  const uploader = p.uploader ?? (await clientUploaderId());
  const acked = new Map<string, { cid: string; size: number; acks: string[] }>();
  const result = await uploadFile({
    ...p,
    nodes: [],
    route: {
      // The coordinator's placement tickets: each placed node stores the chunk only under its own.
      nodesFor: async (cid, size) => {
        const { tickets } = await coordinator.tickets(cid, size, uploader);
        return tickets.map((t) => ({ url: t.endpoint, ticket: t.ticket }));
      },
      onAcks: (cid, size, acks) => {
        const e = acked.get(cid) ?? { cid, size, acks: [] };
        for (const a of acks) if (!e.acks.includes(a.ack)) e.acks.push(a.ack);
        acked.set(cid, e);
      },
    },
  });
  const all = [...acked.values()];
  const placements: NetworkUploadReturnType["placements"] = [];
  let daHeight = "0";
  for (let i = 0; i < all.length; i += DECLARE_BATCH) {
    const r = await coordinator.declare({
      manifestCid: result.manifest,
      uploader,
      chunks: all.slice(i, i + DECLARE_BATCH),
    });
    placements.push(...r.chunks);
    daHeight = r.daHeight;
  }
  return { ...result, uploader, daHeight, placements };
}
