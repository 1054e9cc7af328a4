/**
 * @module CosmJS-style SDK for governance and fee distribution: DSDN's gov messages (param change, foundation
 * approve/veto) and the bootstrap query; the Cosmos gov/distribution messages and queries are CosmJS's own
 * (`defaultRegistryTypes`, `setupGovExtension`, `setupDistributionExtension`).
 */
import type { EncodeObject, GeneratedType } from "@cosmjs/proto-signing";
import { createProtobufRpcClient, type QueryClient } from "@cosmjs/stargate";
import { MsgSubmitProposal } from "cosmjs-types/cosmos/gov/v1/tx";
import { ModuleAccount, moduleAddress } from "../../modules/auth/moduleAccounts.js";
import {
  type Execution,
  MsgFoundationApprove,
  MsgFoundationVeto,
  MsgParamChange,
  QueryExecutionRequest,
  QueryExecutionResponse,
  QueryParamsRequest,
  QueryParamsResponse,
} from "../../proto/gen/dsdn/gov/v1/gov.js";

const SERVICE = "dsdn.gov.v1.Query";

export const govTypeUrls = {
  paramChange: "/dsdn.gov.v1.MsgParamChange",
  foundationApprove: "/dsdn.gov.v1.MsgFoundationApprove",
  foundationVeto: "/dsdn.gov.v1.MsgFoundationVeto",
} as const;
export const govMessageTypes: ReadonlyArray<[string, GeneratedType]> = [
  [govTypeUrls.paramChange, MsgParamChange as unknown as GeneratedType],
  [govTypeUrls.foundationApprove, MsgFoundationApprove as unknown as GeneratedType],
  [govTypeUrls.foundationVeto, MsgFoundationVeto as unknown as GeneratedType],
];

/** The gov module account: the authority every MsgParamChange names. */
export const govAuthority = (): string => moduleAddress(ModuleAccount.Gov);

export interface DsdnGovExtension {
  readonly dsdnGov: {
    execution(proposalId: bigint): Promise<Execution | undefined>;
    params(): Promise<Record<string, unknown>>;
  };
}

export function setupDsdnGovExtension(base: QueryClient): DsdnGovExtension {
  const rpc = createProtobufRpcClient(base);
  return {
    dsdnGov: {
      execution: async (proposalId) =>
        QueryExecutionResponse.decode(
          await rpc.request(SERVICE, "Execution", QueryExecutionRequest.encode({ proposalId }).finish()),
        ).execution,
      params: async () =>
        JSON.parse(
          QueryParamsResponse.decode(await rpc.request(SERVICE, "Params", QueryParamsRequest.encode({}).finish()))
            .paramsJson,
        ),
    },
  };
}

/** A v1 MsgSubmitProposal changing some params of `module` (no `changes` = an advisory text proposal). */
export function paramChangeProposalMsg(m: {
  proposer: string;
  title: string;
  summary: string;
  deposit: bigint;
  module?: string;
  changes?: Record<string, unknown>;
  /** Other modules' proposal messages (e.g. compliance's blockPointerMsg), after the param change. */
  extraMessages?: readonly { typeUrl: string; value: Uint8Array }[];
}): EncodeObject {
  const params =
    m.module && m.changes
      ? [
          {
            typeUrl: govTypeUrls.paramChange,
            value: MsgParamChange.encode({
              authority: govAuthority(),
              module: m.module,
              paramsJson: JSON.stringify(m.changes),
            }).finish(),
          },
        ]
      : [];
  return {
    typeUrl: "/cosmos.gov.v1.MsgSubmitProposal",
    value: MsgSubmitProposal.fromPartial({
      messages: [...params, ...(m.extraMessages ?? [])],
      initialDeposit: m.deposit > 0n ? [{ denom: "unusa", amount: m.deposit.toString() }] : [],
      proposer: m.proposer,
      title: m.title,
      summary: m.summary,
      metadata: "",
    }),
  };
}

export const foundationApproveMsg = (signer: string, proposalId: bigint): EncodeObject => ({
  typeUrl: govTypeUrls.foundationApprove,
  value: MsgFoundationApprove.fromPartial({ signer, proposalId }),
});

export const foundationVetoMsg = (signer: string, proposalId: bigint, reason: string): EncodeObject => ({
  typeUrl: govTypeUrls.foundationVeto,
  value: MsgFoundationVeto.fromPartial({ signer, proposalId, reason }),
});
