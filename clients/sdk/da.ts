/** @module CosmJS-style SDK for the da module (validator-quorum DA): message composer and query extension. */
import type { EncodeObject, GeneratedType } from "@cosmjs/proto-signing";
import { createProtobufRpcClient, type QueryClient } from "@cosmjs/stargate";
import {
  QueryBlobsAtHeightRequest,
  QueryBlobsAtHeightResponse,
  QueryHeadRequest,
  QueryHeadResponse,
} from "../../proto/gen/dsdn/da/v1/query.js";
import { MsgPostBlob } from "../../proto/gen/dsdn/da/v1/tx.js";

const SERVICE = "dsdn.da.v1.Query";

export const daTypeUrls = { postBlob: "/dsdn.da.v1.MsgPostBlob" } as const;
// See slashing.ts: ts-proto codecs satisfy what CosmJS calls at run time.
export const daMessageTypes: ReadonlyArray<[string, GeneratedType]> = [
  [daTypeUrls.postBlob, MsgPostBlob as unknown as GeneratedType],
];

export interface DAQueryExtension {
  readonly da: {
    blobsAtHeight(height: bigint, namespace: Uint8Array): Promise<QueryBlobsAtHeightResponse>;
    head(): Promise<QueryHeadResponse>;
  };
}

export function setupDAExtension(base: QueryClient): DAQueryExtension {
  const rpc = createProtobufRpcClient(base);
  return {
    da: {
      blobsAtHeight: async (height, namespace) =>
        QueryBlobsAtHeightResponse.decode(
          await rpc.request(
            SERVICE,
            "BlobsAtHeight",
            QueryBlobsAtHeightRequest.encode({ height, namespace: Buffer.from(namespace) }).finish(),
          ),
        ),
      head: async () =>
        QueryHeadResponse.decode(await rpc.request(SERVICE, "Head", QueryHeadRequest.encode({}).finish())),
    },
  };
}

export const postBlobMsg = (m: { signer: string; namespace: Uint8Array; data: Uint8Array }): EncodeObject => ({
  typeUrl: daTypeUrls.postBlob,
  value: MsgPostBlob.fromPartial({ signer: m.signer, namespace: Buffer.from(m.namespace), data: Buffer.from(m.data) }),
});
