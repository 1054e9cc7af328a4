/**
 * @module CosmJS-style SDK for the compliance module: `setupComplianceExtension` queries (is a pointer blocked,
 * the blocked list, the decision record) and the proposal messages that block or unblock a pointer.
 */
import { createProtobufRpcClient, type QueryClient } from "@cosmjs/stargate";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { packAny } from "../../common/protobuf.js";
import { moduleAddress } from "../../modules/auth/moduleAccounts.js";
import {
  MsgBlockPointer,
  MsgUnblockPointer,
  type Pointer,
  PointerKind,
} from "../../proto/gen/dsdn/compliance/v1/compliance.js";
import {
  QueryBlockedRequest,
  QueryBlockedResponse,
  QueryBlocksRequest,
  QueryBlocksResponse,
  QueryDecisionsRequest,
  QueryDecisionsResponse,
} from "../../proto/gen/dsdn/compliance/v1/query.js";

const SVC = "dsdn.compliance.v1.Query";

export interface ComplianceExtension {
  readonly compliance: {
    blocked(pointer: Pointer): Promise<QueryBlockedResponse>;
    blocks(startAfter?: Pointer, limit?: number): Promise<QueryBlocksResponse>;
    decisions(startId?: bigint, limit?: number, pointer?: Pointer): Promise<QueryDecisionsResponse>;
  };
}

export function setupComplianceExtension(base: QueryClient): ComplianceExtension {
  const rpc = createProtobufRpcClient(base);
  return {
    compliance: {
      blocked: async (pointer) =>
        QueryBlockedResponse.decode(
          await rpc.request(SVC, "Blocked", QueryBlockedRequest.encode({ pointer }).finish()),
        ),
      blocks: async (startAfter, limit = 0) =>
        QueryBlocksResponse.decode(
          await rpc.request(SVC, "Blocks", QueryBlocksRequest.encode({ startAfter, limit }).finish()),
        ),
      decisions: async (startId = 0n, limit = 0, pointer) =>
        QueryDecisionsResponse.decode(
          await rpc.request(SVC, "Decisions", QueryDecisionsRequest.encode({ startId, limit, pointer }).finish()),
        ),
    },
  };
}

export const cidPointer = (value: string): Pointer => ({ kind: PointerKind.POINTER_KIND_CID, value });
export const routePointer = (value: string): Pointer => ({ kind: PointerKind.POINTER_KIND_ROUTE, value });

/** A proposal message blocking `pointer` (put it in MsgSubmitProposal.messages). */
export const blockPointerMsg = (pointer: Pointer, reason: string): Any =>
  packAny("/dsdn.compliance.v1.MsgBlockPointer", MsgBlockPointer, { authority: moduleAddress("gov"), pointer, reason });

/** The appeal: a proposal message unblocking `pointer`. */
export const unblockPointerMsg = (pointer: Pointer, reason: string): Any =>
  packAny("/dsdn.compliance.v1.MsgUnblockPointer", MsgUnblockPointer, {
    authority: moduleAddress("gov"),
    pointer,
    reason,
  });
