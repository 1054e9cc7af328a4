/** @module Test fakes for the dashboard's upstreams: a CometBFT RPC answering the queries the panels make, a DA JSON-RPC and a coordinator. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Committee, CommitteeStatus } from "../../proto/gen/dsdn/committee/v1/committee.js";
import { QueryCommitteeResponse, QueryEpochResponse } from "../../proto/gen/dsdn/committee/v1/query.js";
import { NodeStatus } from "../../proto/gen/dsdn/nodes/v1/nodes.js";
import { QueryNodesResponse } from "../../proto/gen/dsdn/nodes/v1/query.js";
import { QueryPendingResponse } from "../../proto/gen/dsdn/receipts/v1/query.js";
import {
  QueryGetSlashingStatusRequest,
  QueryGetSlashingStatusResponse,
  QueryParamsResponse,
} from "../../proto/gen/dsdn/slashing/v1/query.js";
import { QueryValidatorsResponse } from "../../proto/gen/dsdn/stake/v1/query.js";
import { NodeClass } from "../../proto/gen/dsdn/stake/v1/stake.js";

export type Behaviour = "ok" | "hang" | "huge" | "http500";

export interface FakeServer {
  readonly url: string;
  readonly hits: Map<string, number>;
  behaviour: Behaviour;
  close(): Promise<void>;
}

async function serve(handler: (path: string, q: URLSearchParams, body: string) => unknown): Promise<FakeServer> {
  const hits = new Map<string, number>();
  const state = { behaviour: "ok" as Behaviour };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const u = new URL(req.url ?? "/", "http://x");
      hits.set(u.pathname, (hits.get(u.pathname) ?? 0) + 1);
      if (state.behaviour === "hang") return; // never answers
      if (state.behaviour === "http500") return res.writeHead(500).end("{}");
      if (state.behaviour === "huge")
        return res.writeHead(200, { "content-type": "application/json" }).end(`"${"x".repeat(6 << 20)}"`);
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify(handler(u.pathname, u.searchParams, body)));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    hits,
    get behaviour() {
      return state.behaviour;
    },
    set behaviour(b) {
      state.behaviour = b;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export const VALIDATORS = [
  {
    operator: "nusa1val0",
    moniker: "validator-0",
    tokens: "3000000000",
    consensusAddress: "AA00",
    missed: 5n,
    offset: 200n,
  },
  {
    operator: "nusa1val1",
    moniker: "<img src=x onerror=alert(1)>",
    tokens: "1000000000",
    consensusAddress: "BB11",
    missed: 0n,
    offset: 40n,
  },
];
export const NODES = [
  { id: 1, zone: "zone-a", operator: "nusa1op1", capacity: 1000n },
  { id: 2, zone: "zone-b", operator: "nusa1op2", capacity: 2000n },
  { id: 3, zone: "zone-a", operator: "nusa1op3", capacity: 500n },
];
export const HEIGHT = 42;
const nodeId = (n: number) => Buffer.alloc(32, n);

function abci(path: string, data: Buffer): { code: number; log?: string; value?: string } {
  const enc = (b: Uint8Array) => ({ code: 0, value: Buffer.from(b).toString("base64") });
  switch (path) {
    case "/dsdn.stake.v1.Query/Validators":
      return enc(
        QueryValidatorsResponse.encode({
          validators: VALIDATORS.map((v) => ({ ...v, consensusPubkey: Buffer.alloc(32), jailed: false, power: 1n })),
          pagination: { nextKey: Buffer.alloc(0) },
        }).finish(),
      );
    case "/dsdn.slashing.v1.Query/Params":
      return enc(QueryParamsResponse.encode({ paramsJson: JSON.stringify({ signedBlocksWindow: "100" }) }).finish());
    case "/dsdn.slashing.v1.Query/GetSlashingStatus": {
      const { address } = QueryGetSlashingStatusRequest.decode(data);
      const v = VALIDATORS.find((x) => x.operator === address);
      return enc(
        QueryGetSlashingStatusResponse.encode(
          QueryGetSlashingStatusResponse.fromPartial({
            address,
            ...(v
              ? {
                  signingInfo: {
                    consensusAddress: v.consensusAddress,
                    indexOffset: v.offset,
                    missedBlocksCounter: v.missed,
                  },
                }
              : {}),
            offences:
              address === "nusa1op2"
                ? [
                    {
                      height: 30n,
                      time: 1000n,
                      kind: "data_corruption",
                      slashed: "5000000",
                      evidenceHash: Buffer.alloc(32, 9),
                    },
                  ]
                : [],
            inCooldown: address === "nusa1op2",
            totalSlashed: address === "nusa1op2" ? "5000000" : "0",
          }),
        ).finish(),
      );
    }
    case "/dsdn.nodes.v1.Query/Nodes":
      return enc(
        QueryNodesResponse.encode({
          nodes: NODES.map((n) => ({
            nodeId: nodeId(n.id),
            operator: n.operator,
            zone: n.zone,
            class: NodeClass.NODE_CLASS_REGULAR,
            capacityBytes: n.capacity,
            endpoint: "javascript:alert(1)",
            status: n.id === 2 ? NodeStatus.NODE_STATUS_QUARANTINED : NodeStatus.NODE_STATUS_ACTIVE,
            statusReason: "",
            registeredHeight: 1n,
            cooldownUntil: 0n,
            bannedUntil: 0n,
            tlsCertFingerprint: Buffer.alloc(32),
          })),
          pagination: { nextKey: Buffer.alloc(0) },
        }).finish(),
      );
    case "/dsdn.committee.v1.Query/Epoch":
      return enc(
        QueryEpochResponse.encode(
          QueryEpochResponse.fromPartial({ currentEpoch: 3n, startHeight: 30n, endHeight: 60n }),
        ).finish(),
      );
    case "/dsdn.committee.v1.Query/Committee":
      return enc(
        QueryCommitteeResponse.encode({
          committee: Committee.fromPartial({
            epoch: 3n,
            startHeight: 30n,
            endHeight: 60n,
            threshold: 2,
            status: CommitteeStatus.COMMITTEE_STATUS_ACTIVE,
            members: [{ operator: "nusa1val0", weight: "3000000000" }],
            committeeHash: Buffer.alloc(32, 7),
            groupPublicKey: Buffer.alloc(32, 8),
          }),
        }).finish(),
      );
    case "/dsdn.receipts.v1.Query/Pending":
      return enc(QueryPendingResponse.encode({ claims: [] }).finish());
    default:
      return { code: 6, log: `unknown query path ${path}` };
  }
}

/** A CometBFT RPC at height HEIGHT with two validators, three nodes in two zones, one paid receipt, one offence. */
export function fakeComet(): Promise<FakeServer> {
  return serve((path, q) => {
    const result = (r: unknown) => ({ jsonrpc: "2.0", id: -1, result: r });
    switch (path) {
      case "/status":
        return result({
          node_info: { network: "nusantara-test-1", moniker: "n0" },
          sync_info: {
            latest_block_height: String(HEIGHT),
            latest_block_hash: "ABCDEF",
            latest_app_hash: "0123",
            latest_block_time: "2026-01-01T00:00:42Z",
            catching_up: false,
          },
        });
      case "/blockchain":
        return result({
          block_metas: [40, 41, 42]
            .map((h) => ({ header: { height: String(h), time: `2026-01-01T00:00:${h}.000Z` }, num_txs: "0" }))
            .reverse(),
        });
      case "/validators":
        return result({
          validators: [
            { address: "AA00", voting_power: "3000" },
            { address: "BB11", voting_power: "1000" },
          ],
        });
      case "/abci_query": {
        const p = JSON.parse(q.get("path") ?? '""') as string;
        const data = Buffer.from((q.get("data") ?? "0x").slice(2), "hex");
        return result({ response: { ...abci(p, data), height: q.get("height") ?? String(HEIGHT) } });
      }
      case "/tx_search": {
        const query = JSON.parse(q.get("query") ?? '""') as string;
        if (query.startsWith("receipt_paid"))
          return result({
            total_count: "1",
            txs: [
              {
                hash: "TXHASH1",
                height: "20",
                tx_result: {
                  events: [
                    {
                      type: "receipt_paid",
                      attributes: [
                        { key: "receipt_id", value: "r1" },
                        { key: "node_amount", value: "700" },
                        { key: "validators_amount", value: "200" },
                        { key: "treasury_amount", value: "100" },
                      ],
                    },
                  ],
                },
              },
            ],
          });
        return result({ total_count: "0", txs: [] });
      }
      default:
        return { jsonrpc: "2.0", id: -1, error: { code: -32601, message: "Method not found" } };
    }
  });
}

export function fakeDA(): Promise<FakeServer> {
  return serve((_path, _q, body) => {
    const req = JSON.parse(body) as { id: number; method: string };
    if (req.method !== "header.NetworkHead") return { jsonrpc: "2.0", id: req.id, error: { code: 1, message: "nope" } };
    return {
      jsonrpc: "2.0",
      id: req.id,
      result: {
        header: { height: "77", time: new Date().toISOString(), data_hash: "DA7A", chain_id: "local-da" },
        commit: { block_id: { hash: "B10C" } },
      },
    };
  });
}

export function fakeCoordinator(): Promise<FakeServer> {
  return serve((path) =>
    path === "/nodes"
      ? {
          daHeight: "77",
          nodes: NODES.map((n) => ({
            nodeId: nodeId(n.id).toString("hex"),
            healthy: n.id !== 3,
            latencyMs: 4,
            chunks: n.id,
            challengeFailures: 0,
            status: "active",
          })),
        }
      : {},
  );
}
