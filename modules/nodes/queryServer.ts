/** @module nodes queries on `/dsdn.nodes.v1.Query/<Method>`. */
import { canonicalJson, concat } from "../../chain-app/encoding.js";
import { SdkErrors } from "../../chain-app/errors.js";
import type { QueryDef } from "../../chain-app/module.js";
import { toHex } from "../../common/hash.js";
import { decodeMessage } from "../../common/protobuf.js";
import { type Node, NodeStatus } from "../../proto/gen/dsdn/nodes/v1/nodes.js";
import {
  QueryGetNodeClassRequest,
  QueryGetNodeClassResponse,
  QueryNodeRequest,
  QueryNodeResponse,
  QueryNodesRequest,
  QueryNodesResponse,
  QueryParamsRequest,
  QueryParamsResponse,
} from "../../proto/gen/dsdn/nodes/v1/query.js";
import { NodeClass } from "../../proto/gen/dsdn/stake/v1/stake.js";
import { addressBytesOf } from "../auth/keeper.js";
import type { StakeKeeper } from "./expectedKeepers.js";
import type { NodesKeeper } from "./keeper.js";
import { Prefix } from "./keys.js";

const DEFAULT_LIMIT = 100n;
const MAX_LIMIT = 1000n;

export function nodesQueries(keeper: NodesKeeper, stake: StakeKeeper): QueryDef[] {
  return [
    {
      path: "/dsdn.nodes.v1.Query/GetNodeClass",
      handle(ctx, data) {
        const req = decodeMessage(QueryGetNodeClassRequest, data, "QueryGetNodeClassRequest");
        const op = addressBytesOf(req.address);
        const ns = stake.getNodeStake(ctx, op);
        const node = keeper.getNodeByOperator(ctx, op);
        const cls = ns && BigInt(ns.amount) > 0n ? ns.class : (node?.class ?? NodeClass.NODE_CLASS_UNSPECIFIED);
        return QueryGetNodeClassResponse.encode({
          address: req.address,
          class: cls,
          registered: node !== undefined,
          node,
        }).finish();
      },
    },
    {
      path: "/dsdn.nodes.v1.Query/Node",
      handle(ctx, data) {
        const req = decodeMessage(QueryNodeRequest, data, "QueryNodeRequest");
        if (req.nodeId.length !== 32) throw SdkErrors.InvalidRequest.wrap("node_id must be 32 bytes");
        const node = keeper.getNode(ctx, req.nodeId);
        if (!node) throw SdkErrors.KeyNotFound.wrap(`node ${toHex(req.nodeId)}`);
        return QueryNodeResponse.encode({ node }).finish();
      },
    },
    {
      path: "/dsdn.nodes.v1.Query/Nodes",
      handle(ctx, data) {
        const req = decodeMessage(QueryNodesRequest, data, "QueryNodesRequest");
        const l = !req.pagination?.limit ? DEFAULT_LIMIT : req.pagination.limit;
        if (l > MAX_LIMIT) throw SdkErrors.InvalidRequest.wrap(`pagination.limit at most ${MAX_LIMIT}`);
        const from = req.pagination?.key?.length ? concat(Uint8Array.of(Prefix.Node), req.pagination.key) : undefined;
        const nodes: Node[] = [];
        let nextKey = Buffer.alloc(0);
        // Scans in node_id order; a status filter skips others (cost grows with the nodes scanned).
        for (const n of keeper.nodes(ctx, from)) {
          if (req.status !== NodeStatus.NODE_STATUS_UNSPECIFIED && n.status !== req.status) continue;
          if (BigInt(nodes.length) === l) {
            nextKey = Buffer.from(n.nodeId);
            break;
          }
          nodes.push(n);
        }
        return QueryNodesResponse.encode({ nodes, pagination: { nextKey } }).finish();
      },
    },
    {
      path: "/dsdn.nodes.v1.Query/Params",
      handle(ctx, data) {
        decodeMessage(QueryParamsRequest, data, "QueryParamsRequest");
        return QueryParamsResponse.encode({ paramsJson: canonicalJson(keeper.getParams(ctx)) }).finish();
      },
    },
  ];
}
