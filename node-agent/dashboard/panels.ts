/** @module The dashboard's panels: each reads public chain, DA or coordinator data and says where an auditor can check it. */

import { ProposalStatus } from "cosmjs-types/cosmos/gov/v1/gov";
import { QueryProposalsRequest, QueryProposalsResponse } from "cosmjs-types/cosmos/gov/v1/query";
import { BaseError, ErrorCode } from "../../common/errors.js";
import { CommitteeStatus } from "../../proto/gen/dsdn/committee/v1/committee.js";
import {
  QueryCommitteeRequest,
  QueryCommitteeResponse,
  QueryEpochRequest,
  QueryEpochResponse,
} from "../../proto/gen/dsdn/committee/v1/query.js";
import { NodeStatus } from "../../proto/gen/dsdn/nodes/v1/nodes.js";
import { QueryNodesRequest, QueryNodesResponse } from "../../proto/gen/dsdn/nodes/v1/query.js";
import { QueryPendingRequest, QueryPendingResponse } from "../../proto/gen/dsdn/receipts/v1/query.js";
import {
  QueryGetSlashingStatusRequest,
  QueryGetSlashingStatusResponse,
  QueryParamsRequest,
  QueryParamsResponse,
} from "../../proto/gen/dsdn/slashing/v1/query.js";
import { QueryValidatorsRequest, QueryValidatorsResponse } from "../../proto/gen/dsdn/stake/v1/query.js";
import { NodeClass } from "../../proto/gen/dsdn/stake/v1/stake.js";
import type { JsonRpcHttp } from "../da/celestia/rpcHttp.js";
import { type CometRpc, getJson, type UpstreamLimits } from "./upstream.js";

/** Where the data of a panel can be checked: a link to the exact upstream read, or a hash to compare. */
export interface AuditRef {
  readonly label: string;
  readonly text: string;
  readonly href?: string;
}

export type Panel =
  | { readonly status: "ok"; readonly data: unknown; readonly audit: readonly AuditRef[] }
  | { readonly status: "error"; readonly error: { readonly code: string; readonly message: string } }
  | { readonly status: "unavailable"; readonly reason: string };

export interface Upstreams {
  readonly comet: CometRpc;
  /** The DA node's JSON-RPC (read permission at most); absent when no DA URL was given. */
  readonly da?: { readonly rpc: JsonRpcHttp; readonly url: string; readonly hasToken: boolean };
  readonly coordinatorUrl?: string;
  readonly limits: UpstreamLimits;
}

const MAX_PAGES = 5;
const PAGE = 200n;
/** Per refresh: bounds the per-operator slashing lookups (one ABCI query each). */
const MAX_STATUS_LOOKUPS = 64;
/** The receipts module answers at most this many pending claims per query. */
const PENDING_LIMIT = 1000;

const ok = (data: unknown, audit: AuditRef[]): Panel => ({ status: "ok", data, audit });
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** Latest height, used so every ABCI read of one refresh comes from the same committed state. */
async function latest(comet: CometRpc) {
  const s = await comet.call<{
    node_info: { network: string; moniker: string };
    sync_info: {
      latest_block_height: string;
      latest_block_hash: string;
      latest_app_hash: string;
      latest_block_time: string;
      catching_up: boolean;
    };
  }>("status");
  return { ...s.sync_info, network: s.node_info.network, height: BigInt(s.sync_info.latest_block_height) };
}

async function query<T>(
  u: Upstreams,
  height: bigint,
  path: string,
  req: Uint8Array,
  decode: (b: Uint8Array) => T,
  audit: AuditRef[],
  label?: string,
): Promise<T> {
  const a = await u.comet.abciQuery(path, req, height);
  if (label) audit.push({ label, text: `${path} @ ${a.height}`, href: u.comet.abciQueryUrl(path, req, a.height) });
  return decode(a.value);
}

export async function chainPanel(u: Upstreams): Promise<Panel> {
  const s = await latest(u.comet);
  const min = s.height > 20n ? s.height - 19n : 1n;
  const bc = await u.comet.call<{ block_metas: { header: { height: string; time: string }; num_txs: string }[] }>(
    "blockchain",
    { minHeight: min.toString(), maxHeight: s.height.toString() },
  );
  const blocks = bc.block_metas
    .map((m) => ({ height: Number(m.header.height), time: m.header.time, txs: Number(m.num_txs) }))
    .sort((a, b) => a.height - b.height);
  const intervals = blocks.slice(1).map((b, i) => ({
    height: b.height,
    ms: Date.parse(b.time) - Date.parse((blocks[i] as { time: string }).time),
  }));
  return ok(
    {
      chainId: s.network,
      height: s.latest_block_height,
      time: s.latest_block_time,
      blockHash: s.latest_block_hash,
      appHash: s.latest_app_hash,
      catchingUp: s.catching_up,
      blockIntervals: intervals,
    },
    [
      {
        label: "block",
        text: `height ${s.latest_block_height} hash ${s.latest_block_hash}`,
        href: `${u.comet.publicUrl}/block?height=${s.latest_block_height}`,
      },
      {
        label: "app hash",
        text: s.latest_app_hash,
        href: `${u.comet.publicUrl}/commit?height=${s.latest_block_height}`,
      },
    ],
  );
}

async function allValidators(u: Upstreams, height: bigint, audit: AuditRef[]) {
  const out: QueryValidatorsResponse["validators"] = [];
  let key: Uint8Array = new Uint8Array();
  for (let page = 0; page < MAX_PAGES; page++) {
    const req = QueryValidatorsRequest.encode({ pagination: { key: Buffer.from(key), limit: PAGE } }).finish();
    const r = await query(
      u,
      height,
      "/dsdn.stake.v1.Query/Validators",
      req,
      QueryValidatorsResponse.decode,
      audit,
      page === 0 ? "stake validators" : undefined,
    );
    out.push(...r.validators);
    key = r.pagination?.nextKey ?? new Uint8Array();
    if (key.length === 0) break;
  }
  return out;
}

async function slashingStatuses(u: Upstreams, height: bigint, operators: readonly string[], audit: AuditRef[]) {
  const unique = [...new Set(operators)].slice(0, MAX_STATUS_LOOKUPS);
  const statuses = await Promise.all(
    unique.map(async (address) => {
      const req = QueryGetSlashingStatusRequest.encode({ address }).finish();
      const r = await u.comet.abciQuery("/dsdn.slashing.v1.Query/GetSlashingStatus", req, height);
      return [address, QueryGetSlashingStatusResponse.decode(r.value)] as const;
    }),
  );
  if (unique.length > 0) {
    const req = QueryGetSlashingStatusRequest.encode({ address: unique[0] as string }).finish();
    audit.push({
      label: "slashing status",
      text: `/dsdn.slashing.v1.Query/GetSlashingStatus @ ${height} (per operator; first shown)`,
      href: u.comet.abciQueryUrl("/dsdn.slashing.v1.Query/GetSlashingStatus", req, height),
    });
  }
  return new Map(statuses);
}

export async function validatorsPanel(u: Upstreams): Promise<Panel> {
  const { height } = await latest(u.comet);
  const audit: AuditRef[] = [];
  const vals = await allValidators(u, height, audit);
  const paramsReq = QueryParamsRequest.encode({}).finish();
  const params = JSON.parse(
    (await query(u, height, "/dsdn.slashing.v1.Query/Params", paramsReq, QueryParamsResponse.decode, audit)).paramsJson,
  ) as Record<string, unknown>;
  const window = BigInt(String(params.signedBlocksWindow ?? params.signed_blocks_window ?? "0"));
  const statuses = await slashingStatuses(
    u,
    height,
    vals.map((v) => v.operator),
    audit,
  );
  const set = await u.comet.call<{ validators: { address: string; voting_power: string }[] }>("validators", {
    height: height.toString(),
    per_page: "100",
  });
  audit.push({
    label: "CometBFT validator set",
    text: `validators @ ${height}`,
    href: `${u.comet.publicUrl}/validators?height=${height}&per_page=100`,
  });
  const power = new Map(set.validators.map((v) => [v.address.toUpperCase(), v.voting_power]));
  const rows = vals.map((v) => {
    const info = statuses.get(v.operator)?.signingInfo;
    const counted = info ? (info.indexOffset < window || window === 0n ? info.indexOffset : window) : 0n;
    // parts per million, integer maths: no float rounding in what the page shows as a percentage
    const uptimePpm =
      info && counted > 0n ? ((counted - info.missedBlocksCounter) * 1_000_000n) / counted : info ? 1_000_000n : null;
    return {
      moniker: v.moniker,
      operator: v.operator,
      consensusAddress: v.consensusAddress,
      tokens: v.tokens,
      jailed: v.jailed,
      tombstoned: info?.tombstoned ?? false,
      votingPower: power.get(v.consensusAddress.toUpperCase()) ?? "0",
      missedBlocks: info ? info.missedBlocksCounter.toString() : null,
      windowBlocks: counted.toString(),
      uptimePpm: uptimePpm === null ? null : uptimePpm.toString(),
    };
  });
  rows.sort((a, b) => (BigInt(b.tokens) > BigInt(a.tokens) ? 1 : BigInt(b.tokens) < BigInt(a.tokens) ? -1 : 0));
  return ok({ height: height.toString(), validators: rows }, audit);
}

export async function committeePanel(u: Upstreams): Promise<Panel> {
  const { height } = await latest(u.comet);
  const audit: AuditRef[] = [];
  const epoch = await query(
    u,
    height,
    "/dsdn.committee.v1.Query/Epoch",
    QueryEpochRequest.encode({}).finish(),
    QueryEpochResponse.decode,
    audit,
    "epoch",
  );
  let committee: QueryCommitteeResponse["committee"];
  if (epoch.currentEpoch > 0n) {
    committee = await query(
      u,
      height,
      "/dsdn.committee.v1.Query/Committee",
      QueryCommitteeRequest.encode({ epoch: epoch.currentEpoch }).finish(),
      QueryCommitteeResponse.decode,
      audit,
      "committee",
    ).then((r) => r.committee);
  }
  return ok(
    {
      height: height.toString(),
      epoch: epoch.currentEpoch.toString(),
      startHeight: epoch.startHeight.toString(),
      endHeight: epoch.endHeight.toString(),
      handoffEndHeight: epoch.handoffEndHeight.toString(),
      committee: committee
        ? {
            status: CommitteeStatus[committee.status] ?? String(committee.status),
            threshold: committee.threshold,
            members: committee.members.map((m) => ({ operator: m.operator, weight: m.weight, endpoint: m.endpoint })),
            committeeHash: hex(committee.committeeHash),
            groupPublicKey: hex(committee.groupPublicKey),
          }
        : null,
    },
    audit,
  );
}

interface CoordinatorNode {
  nodeId: string;
  healthy: boolean;
  latencyMs: number | null;
  chunks: number;
  challengeFailures: number;
  status: string;
}

export async function nodesPanel(u: Upstreams): Promise<Panel> {
  const { height } = await latest(u.comet);
  const audit: AuditRef[] = [];
  const nodes: QueryNodesResponse["nodes"] = [];
  let key: Uint8Array = new Uint8Array();
  for (let page = 0; page < MAX_PAGES; page++) {
    const req = QueryNodesRequest.encode({ pagination: { key: Buffer.from(key), limit: PAGE }, status: 0 }).finish();
    const r = await query(
      u,
      height,
      "/dsdn.nodes.v1.Query/Nodes",
      req,
      QueryNodesResponse.decode,
      audit,
      page === 0 ? "registered nodes" : undefined,
    );
    nodes.push(...r.nodes);
    key = r.pagination?.nextKey ?? new Uint8Array();
    if (key.length === 0) break;
  }
  // Health is the coordinator's view (it probes every node); a missing coordinator leaves health unknown, not red.
  let health: Map<string, CoordinatorNode> | undefined;
  let healthError: string | undefined;
  let daHeight: string | undefined;
  if (u.coordinatorUrl) {
    try {
      const r = (await getJson(`${u.coordinatorUrl}/nodes`, u.limits)) as {
        daHeight: string;
        nodes: CoordinatorNode[];
      };
      health = new Map(r.nodes.map((n) => [n.nodeId, n]));
      daHeight = r.daHeight;
      audit.push({
        label: "coordinator health",
        text: `/nodes at DA height ${r.daHeight}`,
        href: `${u.coordinatorUrl}/nodes`,
      });
    } catch (e) {
      healthError = (e as Error).message.split("\n")[0];
    }
  }
  const rows = nodes.map((n) => {
    const id = hex(n.nodeId);
    const h = health?.get(id);
    return {
      nodeId: id,
      operator: n.operator,
      zone: n.zone,
      class: NodeClass[n.class] ?? String(n.class),
      capacityBytes: n.capacityBytes.toString(),
      endpoint: n.endpoint,
      status: NodeStatus[n.status] ?? String(n.status),
      statusReason: n.statusReason,
      healthy: h ? h.healthy : null,
      latencyMs: h?.latencyMs ?? null,
      chunks: h?.chunks ?? null,
      challengeFailures: h?.challengeFailures ?? null,
    };
  });
  const zones = new Map<
    string,
    { zone: string; nodes: number; active: number; healthy: number; capacityBytes: bigint }
  >();
  for (const r of rows) {
    const z = zones.get(r.zone) ?? { zone: r.zone, nodes: 0, active: 0, healthy: 0, capacityBytes: 0n };
    z.nodes++;
    if (r.status === "NODE_STATUS_ACTIVE") z.active++;
    if (r.healthy) z.healthy++;
    z.capacityBytes += BigInt(r.capacityBytes);
    zones.set(r.zone, z);
  }
  return ok(
    {
      height: height.toString(),
      daHeight: daHeight ?? null,
      healthError: healthError ?? null,
      zones: [...zones.values()]
        .sort((a, b) => (a.zone < b.zone ? -1 : a.zone > b.zone ? 1 : 0))
        .map((z) => ({ ...z, capacityBytes: z.capacityBytes.toString() })),
      nodes: rows,
    },
    audit,
  );
}

interface TxSearch {
  txs: {
    hash: string;
    height: string;
    tx_result: { events: { type: string; attributes: { key: string; value: string }[] }[] };
  }[];
  total_count: string;
}

function eventAttrs(tx: TxSearch["txs"][number], type: string): Record<string, string>[] {
  return tx.tx_result.events
    .filter((e) => e.type === type)
    .map((e) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value])));
}

export async function rewardsPanel(u: Upstreams): Promise<Panel> {
  const { height } = await latest(u.comet);
  const audit: AuditRef[] = [];
  const q = "receipt_paid.receipt_id EXISTS";
  const r = await u.comet.call<TxSearch>("tx_search", {
    query: JSON.stringify(q),
    per_page: "100",
    order_by: JSON.stringify("desc"),
  });
  audit.push({
    label: "paid receipts",
    text: `tx_search ${q}`,
    href: `${u.comet.publicUrl}/tx_search?query=${encodeURIComponent(JSON.stringify(q))}&per_page=100&order_by=%22desc%22`,
  });
  let node = 0n;
  let validators = 0n;
  let treasury = 0n;
  const recent: { height: string; txHash: string; receiptId: string; amount: string }[] = [];
  for (const tx of r.txs) {
    for (const a of eventAttrs(tx, "receipt_paid")) {
      const n = BigInt(a.node_amount ?? "0");
      const v = BigInt(a.validators_amount ?? "0");
      const t = BigInt(a.treasury_amount ?? "0");
      node += n;
      validators += v;
      treasury += t;
      recent.push({
        height: tx.height,
        txHash: tx.hash,
        receiptId: a.receipt_id ?? "",
        amount: (n + v + t).toString(),
      });
    }
  }
  const pending = await query(
    u,
    height,
    "/dsdn.receipts.v1.Query/Pending",
    QueryPendingRequest.encode({ limit: PENDING_LIMIT }).finish(),
    QueryPendingResponse.decode,
    audit,
    "pending compute claims",
  );
  return ok(
    {
      height: height.toString(),
      paidTxs: r.total_count,
      counted: r.txs.length,
      toNodes: node.toString(),
      toValidators: validators.toString(),
      toTreasury: treasury.toString(),
      recent: recent.slice(0, 10),
      pendingClaims: pending.claims.length,
      // the chain answers at most PENDING_LIMIT: a full page means "at least"
      pendingAtLeast: pending.claims.length >= PENDING_LIMIT,
    },
    audit,
  );
}

export async function eventsPanel(u: Upstreams): Promise<Panel> {
  const { height } = await latest(u.comet);
  const audit: AuditRef[] = [];
  const operators: { operator: string; who: string }[] = [];
  for (const v of await allValidators(u, height, audit)) operators.push({ operator: v.operator, who: v.moniker });
  const nodes = await u.comet.abciQuery(
    "/dsdn.nodes.v1.Query/Nodes",
    QueryNodesRequest.encode({ pagination: { key: Buffer.alloc(0), limit: PAGE }, status: 0 }).finish(),
    height,
  );
  for (const n of QueryNodesResponse.decode(nodes.value).nodes)
    operators.push({ operator: n.operator, who: `node ${hex(n.nodeId).slice(0, 12)} (${n.zone})` });
  const statuses = await slashingStatuses(
    u,
    height,
    operators.map((o) => o.operator),
    audit,
  );
  const offences = operators.flatMap(({ operator, who }) =>
    (statuses.get(operator)?.offences ?? []).map((o) => ({
      who,
      operator,
      kind: o.kind,
      height: o.height.toString(),
      time: o.time.toString(),
      slashed: o.slashed,
      evidenceHash: hex(o.evidenceHash),
    })),
  );
  offences.sort((a, b) => Number(BigInt(b.height) - BigInt(a.height)));
  const q = "receipt_challenged.receipt_id EXISTS";
  const ch = await u.comet.call<TxSearch>("tx_search", {
    query: JSON.stringify(q),
    per_page: "20",
    order_by: '"desc"',
  });
  audit.push({
    label: "challenged receipts",
    text: `tx_search ${q}`,
    href: `${u.comet.publicUrl}/tx_search?query=${encodeURIComponent(JSON.stringify(q))}&per_page=20&order_by=%22desc%22`,
  });
  const challenges = ch.txs.flatMap((tx) =>
    eventAttrs(tx, "receipt_challenged").map((a) => ({
      height: tx.height,
      txHash: tx.hash,
      receiptId: a.receipt_id ?? "",
      challenger: a.challenger ?? "",
    })),
  );
  return ok(
    {
      height: height.toString(),
      offences: offences.slice(0, 50),
      jailed: [...statuses.entries()]
        .filter(([, s]) => s.jailed || s.banned || s.inCooldown)
        .map(([a, s]) => ({
          operator: a,
          jailed: s.jailed,
          banned: s.banned,
          inCooldown: s.inCooldown,
          totalSlashed: s.totalSlashed,
        })),
      challenges,
      challengesTotal: ch.total_count,
    },
    audit,
  );
}

interface DaHeader {
  header: { height: string; time: string; data_hash: string; chain_id: string; last_block_id?: { hash?: string } };
  commit?: { block_id?: { hash?: string } };
}

export async function daPanel(u: Upstreams): Promise<Panel> {
  if (!u.da) return { status: "unavailable", reason: "no DA URL given (--da)" };
  if (!u.da.hasToken)
    return {
      status: "error",
      error: {
        code: ErrorCode.Unauthorized,
        message: "the DA node needs a read token for its head (set DA_READ_TOKEN or --da-token-file)",
      },
    };
  const head = await u.da.rpc.call<DaHeader>("header.NetworkHead", [], u.limits.timeoutMs);
  const h = head.header;
  return ok(
    {
      height: h.height,
      time: h.time,
      dataHash: h.data_hash,
      blockHash: head.commit?.block_id?.hash ?? null,
      network: h.chain_id,
      lagMs: Math.max(0, Date.now() - Date.parse(h.time)),
    },
    [
      {
        label: "DA header",
        text: `header.GetByHeight(${h.height}) data_hash ${h.data_hash}`,
      },
    ],
  );
}

/** Modules other issues add: shown as "not available yet" until the chain answers their queries. */
export async function modulesPanel(u: Upstreams): Promise<Panel> {
  const { height } = await latest(u.comet);
  const probe = async (module: string) => {
    const path = `/dsdn.${module}.v1.Query/Params`;
    const req = QueryParamsRequest.encode({}).finish();
    try {
      const a = await u.comet.abciQuery(path, req, height);
      return {
        status: "ok",
        params: JSON.parse(QueryParamsResponse.decode(a.value).paramsJson) as unknown,
        audit: { label: module, text: `${path} @ ${a.height}`, href: u.comet.abciQueryUrl(path, req, a.height) },
      };
    } catch (e) {
      if (e instanceof BaseError && /unknown query path/.test(e.message)) return { status: "unavailable" };
      throw e;
    }
  };
  const gov = async () => {
    const path = "/cosmos.gov.v1.Query/Proposals";
    const req = QueryProposalsRequest.encode(QueryProposalsRequest.fromPartial({})).finish();
    try {
      const a = await u.comet.abciQuery(path, req, height);
      const r = QueryProposalsResponse.decode(a.value);
      return {
        status: "ok",
        proposals: r.proposals.slice(0, 20).map((p) => ({
          id: p.id.toString(),
          title: p.title,
          status: ProposalStatus[p.status] ?? String(p.status),
        })),
        audit: { label: "gov", text: `${path} @ ${a.height}`, href: u.comet.abciQueryUrl(path, req, a.height) },
      };
    } catch (e) {
      if (e instanceof BaseError && /unknown query path/.test(e.message)) return { status: "unavailable" };
      throw e;
    }
  };
  const [oracle, subsidy, governance] = await Promise.all([probe("oracle"), probe("subsidy"), gov()]);
  const audit = [oracle, subsidy, governance].flatMap((m) => ("audit" in m && m.audit ? [m.audit] : []));
  return ok(
    {
      height: height.toString(),
      oracle,
      subsidy,
      governance,
      // The DA fallback router reports its state nowhere public yet (its own issue); shown as such.
      daFallback: { status: "unavailable" },
    },
    audit,
  );
}

export const PANELS = {
  chain: chainPanel,
  validators: validatorsPanel,
  da: daPanel,
  committee: committeePanel,
  nodes: nodesPanel,
  rewards: rewardsPanel,
  events: eventsPanel,
  modules: modulesPanel,
} as const;
export type PanelName = keyof typeof PANELS;
