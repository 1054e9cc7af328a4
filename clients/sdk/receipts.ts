/**
 * @module CosmJS-style SDK for the receipts module: queries, the MsgClaimReward composer, the receipt file
 * format the node keeps, and `claimReceipt` (node-signs and submits a receipt — what auto-claim calls).
 */
import { readFile, writeFile } from "node:fs/promises";
import type { EncodeObject, GeneratedType } from "@cosmjs/proto-signing";
import { createProtobufRpcClient, type QueryClient, type SigningStargateClient, type StdFee } from "@cosmjs/stargate";
import { ed25519Sign } from "../../common/ed25519.js";
import { BaseError, ErrorCode } from "../../common/errors.js";
import { fromHex, toHex } from "../../common/hash.js";
import {
  decodeReceiptData,
  decodeThresholdReceipt,
  nodeSigningMessage,
  receiptId,
} from "../../common/receipts/receiptBytes.js";
import {
  QueryAffinityRequest,
  QueryAffinityResponse,
  QueryClaimRequest,
  QueryClaimResponse,
  QueryParamsRequest,
  QueryParamsResponse,
  QueryPendingRequest,
  QueryPendingResponse,
} from "../../proto/gen/dsdn/receipts/v1/query.js";
import { type Claim, ThresholdReceipt } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import {
  MsgClaimReward,
  MsgClaimRewardResponse,
  MsgFundRewardPool,
  MsgReportSelfDealing,
} from "../../proto/gen/dsdn/receipts/v1/tx.js";

const SERVICE = "dsdn.receipts.v1.Query";

export const receiptsTypeUrls = {
  claimReward: "/dsdn.receipts.v1.MsgClaimReward",
  fundRewardPool: "/dsdn.receipts.v1.MsgFundRewardPool",
  reportSelfDealing: "/dsdn.receipts.v1.MsgReportSelfDealing",
} as const;

export const receiptsMessageTypes: ReadonlyArray<[string, GeneratedType]> = [
  [receiptsTypeUrls.claimReward, MsgClaimReward as unknown as GeneratedType],
  [receiptsTypeUrls.fundRewardPool, MsgFundRewardPool as unknown as GeneratedType],
  [receiptsTypeUrls.reportSelfDealing, MsgReportSelfDealing as unknown as GeneratedType],
];

export interface ReceiptsExtension {
  readonly receipts: {
    /** The claim of a receipt id; undefined when it was never claimed. */
    claim(receiptId: Uint8Array): Promise<Claim | undefined>;
    pending(): Promise<Claim[]>;
    affinity(a: string, b: string): Promise<{ affinity: boolean; reason: string }>;
    params(): Promise<Record<string, string>>;
  };
}

export function setupReceiptsExtension(base: QueryClient): ReceiptsExtension {
  const rpc = createProtobufRpcClient(base);
  return {
    receipts: {
      async claim(id) {
        try {
          return QueryClaimResponse.decode(
            await rpc.request(SERVICE, "Claim", QueryClaimRequest.encode({ receiptId: Buffer.from(id) }).finish()),
          ).claim;
        } catch (e) {
          if (/no such claim/.test((e as Error).message)) return undefined;
          throw e;
        }
      },
      pending: async () =>
        QueryPendingResponse.decode(
          await rpc.request(SERVICE, "Pending", QueryPendingRequest.encode({ limit: 0 }).finish()),
        ).claims,
      affinity: async (a, b) =>
        QueryAffinityResponse.decode(
          await rpc.request(SERVICE, "Affinity", QueryAffinityRequest.encode({ a, b }).finish()),
        ),
      params: async () =>
        JSON.parse(
          QueryParamsResponse.decode(await rpc.request(SERVICE, "Params", QueryParamsRequest.encode({}).finish()))
            .paramsJson,
        ),
    },
  };
}

/** MsgReportSelfDealing: show the chain a committee-signed receipt whose submitter is (or sent coins to/from) the node's operator. */
export function reportSelfDealingMsg(m: { reporter: string; receipt: ThresholdReceipt }): EncodeObject {
  return {
    typeUrl: receiptsTypeUrls.reportSelfDealing,
    value: MsgReportSelfDealing.fromPartial({ reporter: m.reporter, receipt: m.receipt }),
  };
}

/** MsgFundRewardPool: `amount` unusa from `depositor` into the receipts reward pool. */
export function fundRewardPoolMsg(m: { depositor: string; amount: bigint }): EncodeObject {
  return {
    typeUrl: receiptsTypeUrls.fundRewardPool,
    value: MsgFundRewardPool.fromPartial({ depositor: m.depositor, amount: m.amount.toString() }),
  };
}

export function claimRewardMsg(m: {
  claimant: string;
  receipt: ThresholdReceipt;
  nodeSignature: Uint8Array;
}): EncodeObject {
  return {
    typeUrl: receiptsTypeUrls.claimReward,
    value: MsgClaimReward.fromPartial({
      claimant: m.claimant,
      receipt: m.receipt,
      nodeSignature: Buffer.from(m.nodeSignature),
    }),
  };
}

/** The node's signature accepting a receipt (MsgClaimReward.node_signature). */
export function nodeSignReceipt(receipt: ThresholdReceipt, nodeSecretKey: Uint8Array): Uint8Array {
  return ed25519Sign(nodeSigningMessage(receipt.receiptData), nodeSecretKey);
}

/** receipt file: `{format:"dsdn-receipt", version:1, receiptId, thresholdReceipt (hex), nodeSignature? (hex)}`. */
export interface ReceiptFile {
  readonly receiptId: string;
  readonly receipt: ThresholdReceipt;
  readonly nodeSignature?: Uint8Array;
}

export function receiptFileJson(receipt: ThresholdReceipt, nodeSignature?: Uint8Array): string {
  return `${JSON.stringify(
    {
      format: "dsdn-receipt",
      version: 1,
      receiptId: toHex(receiptId(receipt.receiptData)),
      thresholdReceipt: toHex(ThresholdReceipt.encode(receipt).finish()),
      ...(nodeSignature ? { nodeSignature: toHex(nodeSignature) } : {}),
    },
    null,
    2,
  )}\n`;
}

export async function writeReceiptFile(
  path: string,
  receipt: ThresholdReceipt,
  nodeSignature?: Uint8Array,
): Promise<void> {
  await writeFile(path, receiptFileJson(receipt, nodeSignature), { mode: 0o644 });
}

export async function readReceiptFile(path: string): Promise<ReceiptFile> {
  let j: any;
  try {
    j = JSON.parse(await readFile(path, "utf8"));
  } catch (e) {
    throw new BaseError(ErrorCode.InvalidConfig, `${path} is not a readable receipt file`, { cause: e });
  }
  if (j?.format !== "dsdn-receipt" || j.version !== 1 || typeof j.thresholdReceipt !== "string")
    throw new BaseError(ErrorCode.InvalidConfig, `${path} is not a dsdn-receipt v1 file`);
  const receipt = decodeThresholdReceipt(fromHex(j.thresholdReceipt));
  decodeReceiptData(receipt.receiptData); // fail early on garbage
  const id = toHex(receiptId(receipt.receiptData));
  if (j.receiptId !== id)
    throw new BaseError(ErrorCode.InvalidConfig, `${path}: receiptId does not match the receipt bytes`);
  return {
    receiptId: id,
    receipt,
    ...(typeof j.nodeSignature === "string" ? { nodeSignature: fromHex(j.nodeSignature) } : {}),
  };
}

export interface ClaimOutcome {
  readonly txhash: string;
  readonly code: number;
  readonly height: number;
  readonly rawLog?: string;
  readonly response?: MsgClaimRewardResponse;
}

/**
 * Claims a receipt with the operator's signing client; the node signature comes from `nodeSignature` or is
 * made with `nodeSecretKey`. Auto-claim: the node agent calls this as soon as the committee answers.
 */
export async function claimReceipt(
  client: SigningStargateClient,
  claimant: string,
  receipt: ThresholdReceipt,
  node: { nodeSignature?: Uint8Array; nodeSecretKey?: Uint8Array },
  fee: StdFee | "auto" | number = 1.5,
): Promise<ClaimOutcome> {
  const sig = node.nodeSignature ?? (node.nodeSecretKey ? nodeSignReceipt(receipt, node.nodeSecretKey) : undefined);
  if (!sig) throw new BaseError(ErrorCode.InvalidArgument, "a node signature or the node key is needed to claim");
  const r = await client.signAndBroadcast(claimant, [claimRewardMsg({ claimant, receipt, nodeSignature: sig })], fee);
  const any = r.msgResponses?.[0];
  return {
    txhash: r.transactionHash,
    code: r.code,
    height: r.height,
    ...(r.rawLog ? { rawLog: r.rawLog } : {}),
    ...(any && r.code === 0 ? { response: MsgClaimRewardResponse.decode(any.value) } : {}),
  };
}
