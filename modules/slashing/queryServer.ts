/** @module slashing queries on `/dsdn.slashing.v1.Query/<Method>`. */
import { canonicalJson } from "../../chain-app/encoding.js";
import type { QueryDef } from "../../chain-app/module.js";
import { decodeMessage } from "../../common/protobuf.js";
import { NodeStatus } from "../../proto/gen/dsdn/nodes/v1/nodes.js";
import {
  QueryGetSlashingStatusRequest,
  QueryGetSlashingStatusResponse,
  QueryParamsRequest,
  QueryParamsResponse,
} from "../../proto/gen/dsdn/slashing/v1/query.js";
import { addressBytesOf } from "../auth/keeper.js";
import type { NodesKeeper, StakeKeeper } from "./expectedKeepers.js";
import { countMalicious, type SlashingKeeper } from "./keeper.js";

export function slashingQueries(keeper: SlashingKeeper, stake: StakeKeeper, nodes: NodesKeeper): QueryDef[] {
  return [
    {
      path: "/dsdn.slashing.v1.Query/GetSlashingStatus",
      handle(ctx, data) {
        const req = decodeMessage(QueryGetSlashingStatusRequest, data, "QueryGetSlashingStatusRequest");
        const op = addressBytesOf(req.address);
        const v = stake.getValidator(ctx, op);
        const info = v ? keeper.getSigningInfo(ctx, Buffer.from(v.consensusAddress, "hex")) : undefined;
        const node = nodes.getNodeByOperator(ctx, op);
        const record = keeper.getRecord(ctx, op);
        // Cooldown and ban are judged by the node's stored status, which the chain re-derives at
        // the block whose time ends them (queries have no block time of their own).
        const lastOffence = record?.offences.at(-1);
        return QueryGetSlashingStatusResponse.encode({
          address: req.address,
          jailed: v?.jailed ?? false,
          tombstoned: info?.tombstoned ?? false,
          jailedUntil: info?.jailedUntil ?? 0n,
          signingInfo: info,
          inCooldown: node?.status === NodeStatus.NODE_STATUS_QUARANTINED && node.statusReason === "cooldown",
          cooldownUntil: node?.cooldownUntil ?? record?.cooldownUntil ?? 0n,
          banned: node?.status === NodeStatus.NODE_STATUS_BANNED,
          bannedUntil: node?.bannedUntil ?? record?.bannedUntil ?? 0n,
          offences: record?.offences ?? [],
          totalSlashed: record?.totalSlashed ?? "0",
          offencesInWindow:
            record && lastOffence ? countMalicious(record, lastOffence.time, keeper.getParams(ctx)) : 0n,
        }).finish();
      },
    },
    {
      path: "/dsdn.slashing.v1.Query/Params",
      handle(ctx, data) {
        decodeMessage(QueryParamsRequest, data, "QueryParamsRequest");
        return QueryParamsResponse.encode({ paramsJson: canonicalJson(keeper.getParams(ctx)) }).finish();
      },
    },
  ];
}
