/** @module Validator-quorum DA read routes (`/dsdn/da/v1/…`): head, params and one height's blobs of a namespace. */
import type { FastifyInstance } from "fastify";
import * as Q from "../../../proto/gen/dsdn/da/v1/query.js";
import { abciQuery } from "../abciQuery.js";
import type { CometRpc } from "../cometRpc.js";
import { height } from "../params.js";
import { dsdnJson, gatewayJson } from "../protoJson.js";
import { RestError } from "../restError.js";

const BASE = "/dsdn/da/v1";
const SVC = "/dsdn.da.v1.Query";
/** A Celestia-style namespace: version byte + 28 bytes. */
const NAMESPACE_BYTES = 29;

/** `namespace` as 58 hex characters or base64 (std or url-safe) of 29 bytes. */
function namespaceParam(value: unknown): Buffer {
  const bad = () => new RestError(3, `namespace: expected ${NAMESPACE_BYTES} bytes as hex or base64`);
  if (typeof value !== "string" || value.length === 0 || value.length > 64) throw bad();
  const bytes = /^[0-9a-fA-F]+$/.test(value)
    ? Buffer.from(value, "hex")
    : /^[A-Za-z0-9+/_-]+={0,2}$/.test(value)
      ? Buffer.from(value, "base64")
      : undefined;
  if (!bytes || bytes.length !== NAMESPACE_BYTES) throw bad();
  return bytes;
}

export function daRoutes(app: FastifyInstance, rpc: CometRpc): void {
  app.get(`${BASE}/head`, async () => {
    const { value } = await abciQuery(rpc, `${SVC}/Head`, Q.QueryHeadRequest, {}, Q.QueryHeadResponse);
    return dsdnJson(Q.QueryHeadResponse, value);
  });
  app.get(`${BASE}/params`, async () => {
    const { value } = await abciQuery(rpc, `${SVC}/Params`, Q.QueryParamsRequest, {}, Q.QueryParamsResponse);
    return { params: gatewayJson(JSON.parse(value.paramsJson)) }; // the module params, keys in proto style
  });
  app.get<{ Params: { height: string }; Querystring: { namespace?: string } }>(`${BASE}/blobs/:height`, async (req) => {
    const h = height("height", req.params.height);
    const namespace = namespaceParam(req.query.namespace);
    const { value } = await abciQuery(
      rpc,
      `${SVC}/BlobsAtHeight`,
      Q.QueryBlobsAtHeightRequest,
      { height: h, namespace },
      Q.QueryBlobsAtHeightResponse,
    );
    return {
      records: value.records.map((r) => dsdnJson(Q.BlobRecord, r)),
      data: value.data.map((d) => Buffer.from(d).toString("base64")),
      pruned: value.pruned,
    };
  });
}
