/** @module Node and block routes (cosmos/base/tendermint/v1beta1/query.proto), answered from CometBFT RPC. */
import type { FastifyInstance } from "fastify";
import { packageVersion } from "../../../common/cli.js";
import { blockResponseJson, nodeInfoJson, validatorJson } from "../cometJson.js";
import type { CometRpc } from "../cometRpc.js";
import { height, pageRequest } from "../params.js";

const BASE = "/cosmos/base/tendermint/v1beta1";
/** CometBFT's `validators` returns at most 100 per page. */
const COMET_MAX_PER_PAGE = 100;

export function tendermintRoutes(app: FastifyInstance, rpc: CometRpc): void {
  app.get(`${BASE}/node_info`, async () => {
    const s = await rpc.call("status", {});
    return {
      default_node_info: nodeInfoJson(s.node_info ?? {}),
      application_version: {
        name: "dsdn",
        app_name: "dsdnd",
        version: packageVersion(),
        git_commit: "",
        build_tags: "",
        go_version: "",
        build_deps: [],
        cosmos_sdk_version: "",
      },
    };
  });
  app.get(`${BASE}/syncing`, async () => {
    const s = await rpc.call("status", {});
    return { syncing: Boolean(s.sync_info?.catching_up) };
  });
  app.get(`${BASE}/blocks/latest`, async () => blockResponseJson(await rpc.call("block", {})));
  app.get<{ Params: { height: string } }>(`${BASE}/blocks/:height`, async (req) => {
    const h = height("height", req.params.height);
    return blockResponseJson(await rpc.call("block", { height: h.toString() }));
  });
  const validatorSet = async (h: bigint | undefined, q: Record<string, unknown>) => {
    const p = pageRequest(q);
    const perPage = Math.min(p.limit, COMET_MAX_PER_PAGE);
    const page = Math.floor(p.offset / perPage) + 1;
    const r = await rpc.call("validators", {
      ...(h ? { height: h.toString() } : {}),
      page: String(page),
      per_page: String(perPage),
    });
    return {
      block_height: String(r.block_height ?? "0"),
      validators: (r.validators ?? []).map(validatorJson),
      pagination: { next_key: null, total: String(r.total ?? "0") },
    };
  };
  app.get<{ Querystring: Record<string, unknown> }>(`${BASE}/validatorsets/latest`, (req) =>
    validatorSet(undefined, req.query),
  );
  app.get<{ Params: { height: string }; Querystring: Record<string, unknown> }>(
    `${BASE}/validatorsets/:height`,
    (req) => validatorSet(height("height", req.params.height), req.query),
  );
}
