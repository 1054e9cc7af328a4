/** @module Nodes module REST route (`/dsdn/nodes/v1/params`): registration limits and the compute scheduler's weights. */
import type { FastifyInstance } from "fastify";
import * as Q from "../../../proto/gen/dsdn/nodes/v1/query.js";
import { abciQuery } from "../abciQuery.js";
import type { CometRpc } from "../cometRpc.js";
import { gatewayJson } from "../protoJson.js";

const BASE = "/dsdn/nodes/v1";
const SVC = "/dsdn.nodes.v1.Query";

export function nodesRoutes(app: FastifyInstance, rpc: CometRpc): void {
  app.get(`${BASE}/params`, async () => {
    const { value } = await abciQuery(rpc, `${SVC}/Params`, Q.QueryParamsRequest, {}, Q.QueryParamsResponse);
    return { params: gatewayJson(JSON.parse(value.paramsJson)) }; // the module params, keys in proto style
  });
}
