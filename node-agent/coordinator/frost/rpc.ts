/** @module The participant RPCs (DKG rounds, signing rounds) as bytes in, bytes out — shared by every transport. */

import { InvalidArgumentError } from "../../../common/errors.js";
import { decodeMessage, encodeMessage } from "../../../common/protobuf.js";
import {
  DkgRequest,
  DkgResult,
  DkgRound1,
  DkgRound1Bundle,
  DkgRound2Bundle,
  PreprocessRequest,
  PreprocessResponse,
  SignatureShare,
  SignCommitment,
  SignPackage,
  SignRequest,
} from "../../../proto/gen/dsdn/committee/v1/frost.js";
import type { FrostParticipant } from "./participant.js";
import type { Stage, StageTimer } from "./stages.js";

/** RPC names; over HTTP each is `POST /frost/v1/<name>` with a protobuf body. */
export const FROST_RPCS = [
  "dkg/start",
  "dkg/round1",
  "dkg/round2",
  "sign/commit",
  "sign/share",
  "sign/preprocess",
  "sign/announce",
] as const;
export type FrostRpc = (typeof FROST_RPCS)[number];

/** How the orchestrator reaches a member (by identity key). Rejects on timeout or a refusal. */
export interface PeerTransport {
  call(peer: Uint8Array, rpc: FrostRpc, body: Uint8Array, timeoutMs: number): Promise<Uint8Array>;
}

/** A reply's timing as the orchestrator saw it: the whole call and the member's own stages (if it reported them). */
export interface CallTiming {
  readonly peer: Uint8Array;
  readonly rpc: FrostRpc;
  readonly ms: number;
  readonly server: readonly Stage[];
}

export function isFrostRpc(s: string): s is FrostRpc {
  return (FROST_RPCS as readonly string[]).includes(s);
}

/** Decodes a request, runs the participant's handler, encodes the answer. */
export async function dispatchFrostRpc(
  p: FrostParticipant,
  rpc: FrostRpc,
  body: Uint8Array,
  timer?: StageTimer,
): Promise<Uint8Array> {
  switch (rpc) {
    case "dkg/start":
      return encodeMessage(DkgRound1, await p.handleDkgRequest(decodeMessage(DkgRequest, body, "DkgRequest")));
    case "dkg/round1":
      return encodeMessage(
        DkgRound2Bundle,
        await p.handleDkgRound1(decodeMessage(DkgRound1Bundle, body, "DkgRound1Bundle")),
      );
    case "dkg/round2":
      return encodeMessage(DkgResult, await p.handleDkgRound2(decodeMessage(DkgRound2Bundle, body, "DkgRound2Bundle")));
    case "sign/commit":
      return encodeMessage(SignCommitment, await p.handleSignRequest(decodeMessage(SignRequest, body, "SignRequest")));
    case "sign/share": {
      const pkg = decodeMessage(SignPackage, body, "SignPackage");
      timer?.mark("decode");
      return encodeMessage(SignatureShare, await p.handleSignPackage(pkg, timer));
    }
    case "sign/preprocess":
      return encodeMessage(
        PreprocessResponse,
        await p.handlePreprocess(decodeMessage(PreprocessRequest, body, "PreprocessRequest")),
      );
    case "sign/announce":
      return encodeMessage(
        PreprocessResponse,
        await p.handleAnnounce(decodeMessage(PreprocessResponse, body, "PreprocessResponse")),
      );
    default:
      throw new InvalidArgumentError(`unknown FROST rpc ${String(rpc)}`);
  }
}
