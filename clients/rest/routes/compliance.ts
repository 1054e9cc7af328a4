/**
 * @module Compliance read routes (`/dsdn/compliance/v1/…`): whether a pointer is blocked, by whom and why,
 * how to appeal; the blocked list and the decision record, paged. Pointers are `kind=cid|route` + `value`.
 */
import type { FastifyInstance } from "fastify";
import { cidPointerProblem, routePointerProblem } from "../../../common/pointer.js";
import { type Pointer, PointerKind } from "../../../proto/gen/dsdn/compliance/v1/compliance.js";
import * as Q from "../../../proto/gen/dsdn/compliance/v1/query.js";
import { abciQuery } from "../abciQuery.js";
import type { CometRpc } from "../cometRpc.js";
import { dsdnJson, gatewayJson } from "../protoJson.js";
import { RestError } from "../restError.js";

const BASE = "/dsdn/compliance/v1";
const SVC = "/dsdn.compliance.v1.Query";
const KINDS: Record<string, PointerKind> = { cid: PointerKind.POINTER_KIND_CID, route: PointerKind.POINTER_KIND_ROUTE };

interface PointerQuery {
  kind?: string;
  value?: string;
}

/** The pointer named by `kind` and `value`, or undefined when neither is given (and none is required). */
function pointerOf(q: PointerQuery, required: boolean): Pointer | undefined {
  if (q.kind === undefined && q.value === undefined && !required) return undefined;
  const kind = KINDS[String(q.kind)];
  if (kind === undefined) throw new RestError(3, 'kind: expected "cid" or "route"');
  if (typeof q.value !== "string") throw new RestError(3, "value: required");
  // Checked here with the chain's own rules, so a bad pointer is InvalidArgument rather than the module's error.
  const problem = kind === PointerKind.POINTER_KIND_CID ? cidPointerProblem(q.value) : routePointerProblem(q.value);
  if (problem) throw new RestError(3, `value: ${problem}`);
  return { kind, value: q.value };
}

function uint(v: unknown, field: string, max: bigint): bigint {
  if (v === undefined) return 0n;
  if (typeof v !== "string" || !/^(0|[1-9][0-9]{0,19})$/.test(v) || BigInt(v) > max)
    throw new RestError(3, `${field}: expected an unsigned integer ≤ ${max}`);
  return BigInt(v);
}

export function complianceRoutes(app: FastifyInstance, rpc: CometRpc): void {
  app.get<{ Querystring: PointerQuery }>(`${BASE}/blocked`, async (req) => {
    const pointer = pointerOf(req.query, true);
    const { value } = await abciQuery(
      rpc,
      `${SVC}/Blocked`,
      Q.QueryBlockedRequest,
      { pointer },
      Q.QueryBlockedResponse,
    );
    return dsdnJson(Q.QueryBlockedResponse, value);
  });
  app.get<{ Querystring: PointerQuery & { limit?: string } }>(`${BASE}/blocks`, async (req) => {
    const startAfter = pointerOf(req.query, false);
    const limit = Number(uint(req.query.limit, "limit", 10_000n));
    const { value } = await abciQuery(
      rpc,
      `${SVC}/Blocks`,
      Q.QueryBlocksRequest,
      { startAfter, limit },
      Q.QueryBlocksResponse,
    );
    return dsdnJson(Q.QueryBlocksResponse, value);
  });
  app.get<{ Querystring: PointerQuery & { start_id?: string; limit?: string } }>(`${BASE}/decisions`, async (req) => {
    const pointer = pointerOf(req.query, false);
    const { value } = await abciQuery(
      rpc,
      `${SVC}/Decisions`,
      Q.QueryDecisionsRequest,
      {
        pointer,
        startId: uint(req.query.start_id, "start_id", 2n ** 64n - 1n),
        limit: Number(uint(req.query.limit, "limit", 10_000n)),
      },
      Q.QueryDecisionsResponse,
    );
    return dsdnJson(Q.QueryDecisionsResponse, value);
  });
  app.get(`${BASE}/params`, async () => {
    const { value } = await abciQuery(rpc, `${SVC}/Params`, Q.QueryParamsRequest, {}, Q.QueryParamsResponse);
    return { params: gatewayJson(JSON.parse(value.paramsJson)) };
  });
}
