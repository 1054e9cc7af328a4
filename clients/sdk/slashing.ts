/** @module CosmJS-style SDK for the slashing module: `setupSlashingExtension` queries and message composers. */
import type { EncodeObject, GeneratedType } from "@cosmjs/proto-signing";
import { createProtobufRpcClient, type QueryClient } from "@cosmjs/stargate";
import {
  QueryGetSlashingStatusRequest,
  QueryGetSlashingStatusResponse,
  QueryParamsRequest,
  QueryParamsResponse,
} from "../../proto/gen/dsdn/slashing/v1/query.js";
import type { NodeFault } from "../../proto/gen/dsdn/slashing/v1/slashing.js";
import { MsgReportNodeFault, MsgUnjail } from "../../proto/gen/dsdn/slashing/v1/tx.js";

const SERVICE = "dsdn.slashing.v1.Query";

export const slashingTypeUrls = {
  unjail: "/dsdn.slashing.v1.MsgUnjail",
  reportNodeFault: "/dsdn.slashing.v1.MsgReportNodeFault",
} as const;
// ts-proto's writer type comes from a newer @bufbuild/protobuf than CosmJS declares; at run time CosmJS
// only calls encode(…).finish(), decode and fromPartial, which these codecs provide.
export const slashingMessageTypes: ReadonlyArray<[string, GeneratedType]> = [
  [slashingTypeUrls.unjail, MsgUnjail as unknown as GeneratedType],
  [slashingTypeUrls.reportNodeFault, MsgReportNodeFault as unknown as GeneratedType],
];

export interface SlashingExtension {
  readonly slashing: {
    getSlashingStatus(address: string): Promise<QueryGetSlashingStatusResponse>;
    params(): Promise<Record<string, string>>;
  };
}

export function setupSlashingExtension(base: QueryClient): SlashingExtension {
  const rpc = createProtobufRpcClient(base);
  return {
    slashing: {
      getSlashingStatus: async (address) =>
        QueryGetSlashingStatusResponse.decode(
          await rpc.request(SERVICE, "GetSlashingStatus", QueryGetSlashingStatusRequest.encode({ address }).finish()),
        ),
      params: async () =>
        JSON.parse(
          QueryParamsResponse.decode(await rpc.request(SERVICE, "Params", QueryParamsRequest.encode({}).finish()))
            .paramsJson,
        ),
    },
  };
}

export const unjailMsg = (signer: string): EncodeObject => ({
  typeUrl: slashingTypeUrls.unjail,
  value: MsgUnjail.fromPartial({ signer }),
});

export const reportNodeFaultMsg = (m: {
  signer: string;
  nodeId: Uint8Array;
  fault: NodeFault;
  evidence: Uint8Array;
  /** Height the fault happened at (default: the height that includes the report). */
  infractionHeight?: bigint;
}): EncodeObject => ({
  typeUrl: slashingTypeUrls.reportNodeFault,
  value: MsgReportNodeFault.fromPartial({
    signer: m.signer,
    nodeId: Buffer.from(m.nodeId),
    fault: m.fault,
    evidence: Buffer.from(m.evidence),
    infractionHeight: m.infractionHeight ?? 0n,
  }),
});
