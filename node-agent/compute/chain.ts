/** @module The compute side's chain view: the coordinator's ChainView plus the chain id and the receipts module's affinity rule. */
import { connectComet } from "@cosmjs/tendermint-rpc";
import { BaseError, ErrorCode } from "../../common/errors.js";
import { parseNodesParams } from "../../modules/nodes/params.js";
import { QueryParamsRequest, QueryParamsResponse } from "../../proto/gen/dsdn/nodes/v1/query.js";
import { QueryAffinityRequest, QueryAffinityResponse } from "../../proto/gen/dsdn/receipts/v1/query.js";
import type { ChainView } from "../coordinator/chainView.js";
import { schedulerWeightsOf } from "../scheduler/params.js";
import type { ComputeChain } from "./candidates.js";

export async function connectComputeChain(
  rpcUrl: string,
  view: ChainView,
): Promise<ComputeChain & { latestBlockTimeMs(): Promise<number>; close(): void }> {
  let comet: Awaited<ReturnType<typeof connectComet>>;
  try {
    comet = await connectComet(rpcUrl);
  } catch (e) {
    throw new BaseError(ErrorCode.Unavailable, `cannot reach Chain Nusantara RPC at ${rpcUrl}`, { cause: e });
  }
  let chainId: string | undefined;
  return {
    chainId: async () => (chainId ??= (await comet.status()).nodeInfo.network),
    height: () => view.height(),
    node: (id, h) => view.node(id, h),
    stakeWeight: (op, h) => view.stakeWeight(op, h),
    async affinity(a, b, height) {
      const r = await comet.abciQuery({
        path: "/dsdn.receipts.v1.Query/Affinity",
        data: QueryAffinityRequest.encode({ a, b }).finish(),
        ...(height !== undefined ? { height: Number(height) } : {}),
      });
      if (r.code !== 0) throw new BaseError(ErrorCode.Unavailable, `affinity query failed: ${r.log}`);
      return QueryAffinityResponse.decode(r.value).affinity;
    },
    async schedulerWeights(height) {
      const r = await comet.abciQuery({
        path: "/dsdn.nodes.v1.Query/Params",
        data: QueryParamsRequest.encode({}).finish(),
        height: Number(height),
      });
      if (r.code !== 0) throw new BaseError(ErrorCode.Unavailable, `nodes params query failed: ${r.log}`);
      return schedulerWeightsOf(parseNodesParams(JSON.parse(QueryParamsResponse.decode(r.value).paramsJson)));
    },
    /** The latest committed block's header time: the clock submissions and heartbeats are judged on. */
    latestBlockTimeMs: async () => (await comet.status()).syncInfo.latestBlockTime.getTime(),
    close: () => comet.disconnect(),
  };
}
