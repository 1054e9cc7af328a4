/** @module CosmJS-style SDK for the committee module: `setupCommitteeExtension` queries and message composers. */
import type { EncodeObject, GeneratedType } from "@cosmjs/proto-signing";
import { createProtobufRpcClient, type QueryClient } from "@cosmjs/stargate";
import type { Ed25519KeyPair } from "../../common/ed25519.js";
import { fromBech32Address } from "../../common/secp256k1.js";
import { vrfPublicKeyFromIdentity } from "../../modules/committee/epochSeed.js";
import { signCoordinatorBinding } from "../../modules/committee/registerCoordinator.js";
import type { Candidate, Committee, SeedRequest } from "../../proto/gen/dsdn/committee/v1/committee.js";
import {
  QueryCandidatesRequest,
  QueryCandidatesResponse,
  QueryCommitteeRequest,
  QueryCommitteeResponse,
  QueryEpochRequest,
  QueryEpochResponse,
  QueryParamsRequest,
  QueryParamsResponse,
  QuerySeedRequestRequest,
  QuerySeedRequestResponse,
} from "../../proto/gen/dsdn/committee/v1/query.js";
import {
  MsgDeregisterCoordinator,
  MsgRegisterCoordinator,
  MsgReportConflictingReceipts,
  MsgReportUnauthorizedSigner,
  MsgSignalDkgPresence,
  MsgSubmitDkgResult,
  MsgSubmitEpochSeed,
} from "../../proto/gen/dsdn/committee/v1/tx.js";

const SERVICE = "dsdn.committee.v1.Query";

export const committeeTypeUrls = {
  registerCoordinator: "/dsdn.committee.v1.MsgRegisterCoordinator",
  deregisterCoordinator: "/dsdn.committee.v1.MsgDeregisterCoordinator",
  submitDkgResult: "/dsdn.committee.v1.MsgSubmitDkgResult",
  reportConflictingReceipts: "/dsdn.committee.v1.MsgReportConflictingReceipts",
  reportUnauthorizedSigner: "/dsdn.committee.v1.MsgReportUnauthorizedSigner",
  submitEpochSeed: "/dsdn.committee.v1.MsgSubmitEpochSeed",
  signalDkgPresence: "/dsdn.committee.v1.MsgSignalDkgPresence",
} as const;

// ts-proto's writer type comes from a newer @bufbuild/protobuf than CosmJS declares; at run time CosmJS
// only calls encode(…).finish(), decode and fromPartial, which these codecs provide.
export const committeeMessageTypes: ReadonlyArray<[string, GeneratedType]> = [
  [committeeTypeUrls.registerCoordinator, MsgRegisterCoordinator as unknown as GeneratedType],
  [committeeTypeUrls.deregisterCoordinator, MsgDeregisterCoordinator as unknown as GeneratedType],
  [committeeTypeUrls.submitDkgResult, MsgSubmitDkgResult as unknown as GeneratedType],
  [committeeTypeUrls.reportConflictingReceipts, MsgReportConflictingReceipts as unknown as GeneratedType],
  [committeeTypeUrls.reportUnauthorizedSigner, MsgReportUnauthorizedSigner as unknown as GeneratedType],
  [committeeTypeUrls.submitEpochSeed, MsgSubmitEpochSeed as unknown as GeneratedType],
  [committeeTypeUrls.signalDkgPresence, MsgSignalDkgPresence as unknown as GeneratedType],
];

export interface CommitteeExtension {
  readonly committee: {
    /** The committee of `epoch` (0 or omitted: the current one); undefined when there is none. */
    committee(epoch?: bigint): Promise<Committee | undefined>;
    epoch(): Promise<QueryEpochResponse>;
    candidates(): Promise<Candidate[]>;
    params(): Promise<Record<string, string>>;
    /** The open request for the next epoch's seed, if any. */
    seedRequest(): Promise<SeedRequest | undefined>;
  };
}

export function setupCommitteeExtension(base: QueryClient): CommitteeExtension {
  const rpc = createProtobufRpcClient(base);
  return {
    committee: {
      async committee(epoch = 0n) {
        try {
          const r = await rpc.request(SERVICE, "Committee", QueryCommitteeRequest.encode({ epoch }).finish());
          return QueryCommitteeResponse.decode(r).committee;
        } catch (e) {
          if (/no committee for that epoch/.test((e as Error).message)) return undefined;
          throw e;
        }
      },
      epoch: async () =>
        QueryEpochResponse.decode(await rpc.request(SERVICE, "Epoch", QueryEpochRequest.encode({}).finish())),
      candidates: async () =>
        QueryCandidatesResponse.decode(
          await rpc.request(SERVICE, "Candidates", QueryCandidatesRequest.encode({}).finish()),
        ).candidates,
      params: async () =>
        JSON.parse(
          QueryParamsResponse.decode(await rpc.request(SERVICE, "Params", QueryParamsRequest.encode({}).finish()))
            .paramsJson,
        ),
      seedRequest: async () =>
        QuerySeedRequestResponse.decode(
          await rpc.request(SERVICE, "SeedRequest", QuerySeedRequestRequest.encode({}).finish()),
        ).request,
    },
  };
}

/**
 * MsgRegisterCoordinator, with the identity key's proof of possession bound to chain, operator, VRF key and
 * endpoint; the ECVRF key is derived from the identity seed (epochSeed.ts), so the coordinator can prove with it.
 */
export function registerCoordinatorMsg(m: {
  signer: string;
  chainId: string;
  identity: Ed25519KeyPair;
  endpoint: string;
}): EncodeObject {
  const vrf = vrfPublicKeyFromIdentity(m.identity.secretKey);
  return {
    typeUrl: committeeTypeUrls.registerCoordinator,
    value: MsgRegisterCoordinator.fromPartial({
      signer: m.signer,
      identityKey: Buffer.from(m.identity.publicKey),
      endpoint: m.endpoint,
      identitySignature: Buffer.from(
        signCoordinatorBinding(m.chainId, fromBech32Address(m.signer), vrf, m.endpoint, m.identity.secretKey),
      ),
      vrfPublicKey: Buffer.from(vrf),
    }),
  };
}

/** MsgSubmitEpochSeed: the designated producer's ECVRF proof for the open request's epoch. */
export const submitEpochSeedMsg = (m: { signer: string; epoch: bigint; proof: Uint8Array }): EncodeObject => ({
  typeUrl: committeeTypeUrls.submitEpochSeed,
  value: MsgSubmitEpochSeed.fromPartial({ signer: m.signer, epoch: m.epoch, proof: Buffer.from(m.proof) }),
});

/** MsgSignalDkgPresence: a pending committee's member takes part in DKG attempt `attempt`. */
export const signalDkgPresenceMsg = (m: { signer: string; epoch: bigint; attempt: number }): EncodeObject => ({
  typeUrl: committeeTypeUrls.signalDkgPresence,
  value: MsgSignalDkgPresence.fromPartial(m),
});

export const deregisterCoordinatorMsg = (signer: string): EncodeObject => ({
  typeUrl: committeeTypeUrls.deregisterCoordinator,
  value: MsgDeregisterCoordinator.fromPartial({ signer }),
});

export const submitDkgResultMsg = (m: {
  signer: string;
  epoch: bigint;
  results: readonly Uint8Array[];
}): EncodeObject => ({
  typeUrl: committeeTypeUrls.submitDkgResult,
  value: MsgSubmitDkgResult.fromPartial({
    signer: m.signer,
    epoch: m.epoch,
    results: m.results.map((r) => Buffer.from(r)),
  }),
});

export const reportConflictingReceiptsMsg = (m: {
  signer: string;
  receiptA: Uint8Array;
  receiptB: Uint8Array;
}): EncodeObject => ({
  typeUrl: committeeTypeUrls.reportConflictingReceipts,
  value: MsgReportConflictingReceipts.fromPartial({
    signer: m.signer,
    receiptA: Buffer.from(m.receiptA),
    receiptB: Buffer.from(m.receiptB),
  }),
});

export const reportUnauthorizedSignerMsg = (m: {
  signer: string;
  receipt: Uint8Array;
  committeeEpoch: bigint;
}): EncodeObject => ({
  typeUrl: committeeTypeUrls.reportUnauthorizedSigner,
  value: MsgReportUnauthorizedSigner.fromPartial({
    signer: m.signer,
    receipt: Buffer.from(m.receipt),
    committeeEpoch: m.committeeEpoch,
  }),
});
