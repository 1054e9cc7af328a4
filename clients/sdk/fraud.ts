/** @module CosmJS-style SDK for the fraud module: `setupFraudExtension` queries and message composers. */
import type { EncodeObject, GeneratedType } from "@cosmjs/proto-signing";
import { createProtobufRpcClient, type QueryClient } from "@cosmjs/stargate";
import type { DisputeType, Game } from "../../proto/gen/dsdn/fraud/v1/fraud.js";
import {
  QueryGameRequest,
  QueryGameResponse,
  QueryGamesByReceiptRequest,
  QueryGamesByReceiptResponse,
  QueryParamsRequest,
  QueryParamsResponse,
} from "../../proto/gen/dsdn/fraud/v1/query.js";
import {
  MsgBisect,
  MsgChallenge,
  MsgDescend,
  MsgPinStart,
  MsgSubmitStepProof,
  type Opening,
} from "../../proto/gen/dsdn/fraud/v1/tx.js";

const SERVICE = "dsdn.fraud.v1.Query";

export const fraudTypeUrls = {
  challenge: "/dsdn.fraud.v1.MsgChallenge",
  bisect: "/dsdn.fraud.v1.MsgBisect",
  submitStepProof: "/dsdn.fraud.v1.MsgSubmitStepProof",
  pinStart: "/dsdn.fraud.v1.MsgPinStart",
  descend: "/dsdn.fraud.v1.MsgDescend",
} as const;
// As in slashing.ts: CosmJS only calls encode(…).finish(), decode and fromPartial on these codecs.
export const fraudMessageTypes: ReadonlyArray<[string, GeneratedType]> = [
  [fraudTypeUrls.challenge, MsgChallenge as unknown as GeneratedType],
  [fraudTypeUrls.bisect, MsgBisect as unknown as GeneratedType],
  [fraudTypeUrls.submitStepProof, MsgSubmitStepProof as unknown as GeneratedType],
  [fraudTypeUrls.pinStart, MsgPinStart as unknown as GeneratedType],
  [fraudTypeUrls.descend, MsgDescend as unknown as GeneratedType],
];

export interface FraudExtension {
  readonly fraud: {
    game(id: bigint): Promise<Game | undefined>;
    gamesByReceipt(receiptId: Uint8Array): Promise<Game[]>;
    params(): Promise<Record<string, string>>;
  };
}

export function setupFraudExtension(base: QueryClient): FraudExtension {
  const rpc = createProtobufRpcClient(base);
  return {
    fraud: {
      game: async (id) =>
        QueryGameResponse.decode(await rpc.request(SERVICE, "Game", QueryGameRequest.encode({ id }).finish())).game,
      gamesByReceipt: async (receiptId) =>
        QueryGamesByReceiptResponse.decode(
          await rpc.request(
            SERVICE,
            "GamesByReceipt",
            QueryGamesByReceiptRequest.encode({ receiptId: Buffer.from(receiptId) }).finish(),
          ),
        ).games,
      params: async () =>
        JSON.parse(
          QueryParamsResponse.decode(await rpc.request(SERVICE, "Params", QueryParamsRequest.encode({}).finish()))
            .paramsJson,
        ),
    },
  };
}

/** A challenge on a compute receipt, or (`signedResult`) on a redundant replica's node-signed result. */
export const challengeMsg = (
  m: { challenger: string; disputeType: DisputeType; claim: Uint8Array } & (
    | { receipt: Uint8Array }
    | { signedResult: Uint8Array }
  ),
): EncodeObject => ({
  typeUrl: fraudTypeUrls.challenge,
  value: MsgChallenge.fromPartial({
    challenger: m.challenger,
    disputeType: m.disputeType,
    claim: Buffer.from(m.claim),
    ...("receipt" in m ? { receipt: Buffer.from(m.receipt) } : { signedResult: Buffer.from(m.signedResult) }),
  }),
});

export const bisectMsg = (m: {
  signer: string;
  gameId: bigint;
  openings: { step: bigint; commitment: Uint8Array; path: Uint8Array[] }[];
  /** The opening of the final state, on the defender's first move when the range ends at the last step. */
  finalOpening?: Uint8Array;
}): EncodeObject => ({
  typeUrl: fraudTypeUrls.bisect,
  value: MsgBisect.fromPartial({
    ...m,
    finalOpening: Buffer.from(m.finalOpening ?? new Uint8Array()),
    openings: m.openings.map(
      (o): Opening => ({
        step: o.step,
        commitment: Buffer.from(o.commitment),
        path: o.path.map((h) => Buffer.from(h)),
      }),
    ),
  }),
});

export const submitStepProofMsg = (m: { signer: string; gameId: bigint; proof: Uint8Array }): EncodeObject => ({
  typeUrl: fraudTypeUrls.submitStepProof,
  value: MsgSubmitStepProof.fromPartial({ ...m, proof: Buffer.from(m.proof) }),
});

export const pinStartMsg = (m: {
  signer: string;
  gameId: bigint;
  module: Uint8Array;
  input: Uint8Array;
}): EncodeObject => ({
  typeUrl: fraudTypeUrls.pinStart,
  value: MsgPinStart.fromPartial({ ...m, module: Buffer.from(m.module), input: Buffer.from(m.input) }),
});

/** A Merkle-descent move: the defender's revealed hashes, or the challenger's child (0 left, 1 right). */
export const descendMsg = (m: {
  signer: string;
  gameId: bigint;
  hashes?: readonly Uint8Array[];
  child?: number;
}): EncodeObject => ({
  typeUrl: fraudTypeUrls.descend,
  value: MsgDescend.fromPartial({
    signer: m.signer,
    gameId: m.gameId,
    hashes: (m.hashes ?? []).map((h) => Buffer.from(h)),
    child: m.child ?? 0,
  }),
});
