/** @module CosmJS-style SDK for the subsidy module's messages: the liveness proof a storage node answers a challenge with. */
import type { EncodeObject, GeneratedType } from "@cosmjs/proto-signing";
import { ed25519Sign } from "../../common/ed25519.js";
import { livenessSigningMessage } from "../../modules/subsidy/liveness.js";
import { MsgLivenessProof } from "../../proto/gen/dsdn/subsidy/v1/tx.js";

export const subsidyTypeUrls = {
  livenessProof: "/dsdn.subsidy.v1.MsgLivenessProof",
} as const;

export const subsidyMessageTypes: ReadonlyArray<[string, GeneratedType]> = [
  [subsidyTypeUrls.livenessProof, MsgLivenessProof as unknown as GeneratedType],
];

/** The node's answer to challenge `period` (its seed from the chain), signed with the node's ed25519 key. */
export function livenessProofMsg(m: {
  signer: string;
  chainId: string;
  nodeId: Uint8Array;
  nodeSecretKey: Uint8Array;
  period: bigint;
  seed: Uint8Array;
}): EncodeObject {
  const signature = ed25519Sign(livenessSigningMessage(m.chainId, m.nodeId, m.period, m.seed), m.nodeSecretKey);
  return {
    typeUrl: subsidyTypeUrls.livenessProof,
    value: MsgLivenessProof.fromPartial({
      signer: m.signer,
      nodeId: Buffer.from(m.nodeId),
      period: m.period,
      signature: Buffer.from(signature),
    }),
  };
}
