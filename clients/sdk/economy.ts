/** @module CosmJS-style SDK for the oracle, subsidy and economics modules: `setupEconomyExtension` queries. */
import { createProtobufRpcClient, type QueryClient } from "@cosmjs/stargate";
import { QueryShadowRequest, QueryShadowResponse } from "../../proto/gen/dsdn/economics/v1/economics.js";
import {
  QueryConvertUsdRequest,
  QueryConvertUsdResponse,
  QueryMissCountersRequest,
  QueryMissCountersResponse,
  QueryPriceRequest,
  QueryPriceResponse,
} from "../../proto/gen/dsdn/oracle/v1/query.js";
import {
  QueryChallengeRequest,
  QueryChallengeResponse,
  QueryNodeSubsidyRequest,
  QueryNodeSubsidyResponse,
  QueryStatusRequest,
  QueryStatusResponse,
} from "../../proto/gen/dsdn/subsidy/v1/query.js";

export interface EconomyExtension {
  readonly oracle: {
    price(): Promise<QueryPriceResponse>;
    convertUsd(usdNano: bigint): Promise<QueryConvertUsdResponse>;
    /** Validators' windows and misses in the open slash window (the miss penalty's counters). */
    missCounters(): Promise<QueryMissCountersResponse>;
  };
  readonly subsidy: {
    node(operator: string): Promise<QueryNodeSubsidyResponse>;
    status(): Promise<QueryStatusResponse>;
    /** The current liveness challenge; with `nodeId`, whether that node answered it. */
    challenge(nodeId?: Uint8Array): Promise<QueryChallengeResponse>;
  };
  readonly economics: {
    shadow(): Promise<QueryShadowResponse>;
  };
}

export function setupEconomyExtension(base: QueryClient): EconomyExtension {
  const rpc = createProtobufRpcClient(base);
  return {
    oracle: {
      price: async () =>
        QueryPriceResponse.decode(
          await rpc.request("dsdn.oracle.v1.Query", "Price", QueryPriceRequest.encode({}).finish()),
        ),
      convertUsd: async (usdNano) =>
        QueryConvertUsdResponse.decode(
          await rpc.request(
            "dsdn.oracle.v1.Query",
            "ConvertUsd",
            QueryConvertUsdRequest.encode({ usdNano: usdNano.toString() }).finish(),
          ),
        ),
      missCounters: async () =>
        QueryMissCountersResponse.decode(
          await rpc.request("dsdn.oracle.v1.Query", "MissCounters", QueryMissCountersRequest.encode({}).finish()),
        ),
    },
    subsidy: {
      node: async (operator) =>
        QueryNodeSubsidyResponse.decode(
          await rpc.request(
            "dsdn.subsidy.v1.Query",
            "NodeSubsidy",
            QueryNodeSubsidyRequest.encode({ operator }).finish(),
          ),
        ),
      status: async () =>
        QueryStatusResponse.decode(
          await rpc.request("dsdn.subsidy.v1.Query", "Status", QueryStatusRequest.encode({}).finish()),
        ),
      challenge: async (nodeId) =>
        QueryChallengeResponse.decode(
          await rpc.request(
            "dsdn.subsidy.v1.Query",
            "Challenge",
            QueryChallengeRequest.encode({ nodeId: Buffer.from(nodeId ?? new Uint8Array()) }).finish(),
          ),
        ),
    },
    economics: {
      shadow: async () =>
        QueryShadowResponse.decode(
          await rpc.request("dsdn.economics.v1.Query", "Shadow", QueryShadowRequest.encode({}).finish()),
        ),
    },
  };
}
