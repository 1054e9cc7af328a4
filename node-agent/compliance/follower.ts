/**
 * @module Keeps a BlockList in step with the chain: a snapshot of the blocked pointers at a committed height,
 * then every later block's `compliance_block` / `compliance_unblock` events in height order, polled often
 * enough (default 250 ms) that a decision stops serving within one block. Each decision applied is written to
 * the node's audit log. The chain is reached through a `ComplianceSource` (CometBFT RPC, or a fake in tests).
 */
import { QueryClient } from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import { BaseError, ErrorCode } from "../../common/errors.js";
import { type Block, PointerKind } from "../../proto/gen/dsdn/compliance/v1/compliance.js";
import { QueryBlocksRequest, QueryBlocksResponse } from "../../proto/gen/dsdn/compliance/v1/query.js";
import type { AuditLog } from "../audit/log.js";
import { type BlockInfo, BlockList, type PointerKindName } from "./blockList.js";

export interface ChainEvent {
  readonly type: string;
  readonly attributes: readonly { readonly key: string; readonly value: string }[];
}

/** What the follower reads from the chain. */
export interface ComplianceSource {
  /** Last committed height. */
  head(): Promise<bigint>;
  /** Every blocked pointer as of `height` (all pages). */
  blocksAt(height: bigint): Promise<BlockInfo[]>;
  /** The events of block `height` that a state change emitted: finalize-block events and successful txs'. */
  eventsAt(height: bigint): Promise<ChainEvent[]>;
  close(): void;
}

const KIND_NAMES: Record<string, PointerKindName> = { POINTER_KIND_CID: "cid", POINTER_KIND_ROUTE: "route" };
/** Most blocks one round catches up (a long pause catches up over several rounds). */
const MAX_BLOCKS_PER_ROUND = 200n;
const PAGE = 1000;

export function blockInfoOf(b: Block): BlockInfo {
  return {
    kind: b.pointer!.kind === PointerKind.POINTER_KIND_CID ? "cid" : "route",
    value: b.pointer!.value,
    reason: b.decision?.reason ?? "",
    proposalId: (b.decision?.proposalId ?? 0n).toString(),
    decisionId: (b.decision?.id ?? 0n).toString(),
    height: (b.decision?.height ?? 0n).toString(),
  };
}

/** The CometBFT RPC source (CosmJS): historical ABCI queries for the snapshot, block_results for events. */
export async function cometComplianceSource(rpcUrl: string): Promise<ComplianceSource> {
  let comet: Awaited<ReturnType<typeof connectComet>>;
  try {
    comet = await connectComet(rpcUrl);
  } catch (e) {
    throw new BaseError(ErrorCode.Unavailable, `cannot reach Chain Nusantara RPC at ${rpcUrl}`, { cause: e });
  }
  const q = new QueryClient(comet);
  return {
    head: async () => BigInt((await comet.status()).syncInfo.latestBlockHeight),
    async blocksAt(height) {
      const out: BlockInfo[] = [];
      for (let after: Block["pointer"]; ; ) {
        const r = QueryBlocksResponse.decode(
          (
            await q.queryAbci(
              "/dsdn.compliance.v1.Query/Blocks",
              QueryBlocksRequest.encode({ startAfter: after, limit: PAGE }).finish(),
              Number(height),
            )
          ).value,
        );
        out.push(...r.blocks.map(blockInfoOf));
        if (!r.next) return out;
        after = r.next;
      }
    },
    async eventsAt(height) {
      // v0.38 puts end-block events in finalize_block_events; a proposal executed by the foundation's tx is in its result.
      const r = (await comet.blockResults(Number(height))) as unknown as {
        finalizeBlockEvents?: readonly ChainEvent[];
        endBlockEvents?: readonly ChainEvent[];
        results: readonly { code: number; events: readonly ChainEvent[] }[];
      };
      return [
        ...(r.finalizeBlockEvents ?? []),
        ...(r.endBlockEvents ?? []),
        ...r.results.filter((t) => t.code === 0).flatMap((t) => t.events),
      ];
    },
    close: () => comet.disconnect(),
  };
}

export interface ComplianceFollowerOptions {
  readonly source: ComplianceSource;
  readonly list?: BlockList;
  /** Every decision applied is recorded here (kind "compliance"). */
  readonly audit?: AuditLog;
  readonly intervalMs?: number;
  readonly log?: (line: string) => void;
}

export class ComplianceFollower {
  readonly list: BlockList;
  private seen = -1n;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly o: ComplianceFollowerOptions) {
    this.list = o.list ?? new BlockList();
  }

  /** Last chain height whose decisions are applied (−1 before the snapshot). */
  get height(): bigint {
    return this.seen;
  }

  /** Loads the snapshot at the chain's head; a node must not serve before this succeeds. */
  async init(): Promise<void> {
    const h = await this.o.source.head();
    this.list.replaceAll(await this.o.source.blocksAt(h));
    this.seen = h;
    this.o.audit?.append("compliance", {
      action: "snapshot",
      height: h.toString(),
      blocked: this.list.size.toString(),
    });
  }

  /** Applies the decisions of every block after the last one seen, in height order. */
  async poll(): Promise<void> {
    if (this.seen < 0n) return this.init();
    const head = await this.o.source.head();
    const last = head < this.seen + MAX_BLOCKS_PER_ROUND ? head : this.seen + MAX_BLOCKS_PER_ROUND;
    for (let h = this.seen + 1n; h <= last; h++) {
      let events: ChainEvent[];
      try {
        events = await this.o.source.eventsAt(h);
      } catch (e) {
        // CometBFT reports a new height a moment before its results are readable: the next round gets them.
        if (h === head) return;
        throw e;
      }
      for (const e of events) this.apply(h, e);
      this.seen = h; // per height: a failure later in the round never applies a block twice
    }
  }

  private apply(height: bigint, e: ChainEvent): void {
    if (e.type !== "compliance_block" && e.type !== "compliance_unblock") return;
    const a = (k: string) => e.attributes.find((x) => x.key === k)?.value ?? "";
    const kind = KIND_NAMES[a("kind")];
    if (!kind) return;
    const info: BlockInfo = {
      kind,
      value: a("value"),
      reason: a("reason"),
      proposalId: a("proposal_id"),
      decisionId: a("decision_id"),
      height: height.toString(),
    };
    if (e.type === "compliance_block") this.list.add(info);
    else this.list.remove(kind, info.value);
    this.o.audit?.append("compliance", {
      action: e.type === "compliance_block" ? "block" : "unblock",
      kind,
      value: info.value.slice(0, 1024),
      reason: info.reason.slice(0, 1024),
      proposal_id: info.proposalId,
      decision_id: info.decisionId,
      height: info.height,
    });
  }

  /** Polls every `intervalMs` (default 250 ms) until stopped; a failed round is retried on the next tick. */
  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.poll()
        .catch((e) => this.o.log?.(`compliance: chain not read this round: ${(e as Error).message}`))
        .finally(() => {
          this.running = undefined;
        });
    }, this.o.intervalMs ?? 250);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    this.o.source.close();
  }
}
