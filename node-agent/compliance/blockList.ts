/**
 * @module The serving nodes' view of the chain's compliance list: which CIDs and ingress routes governance
 * blocked, why, and how to appeal. One check (`isBlocked(cid)`, `blockOf(cid)`, `routeBlock(path)`) that every
 * serve path (ingress, storage node, site/app routes) calls; it is fed only by chain events (follower.ts).
 */
import { BaseError, ErrorCode } from "../../common/errors.js";
import { normalizeRequestPath, routeCovers } from "../../common/pointer.js";

export type PointerKindName = "cid" | "route";

/** One blocked pointer as the chain recorded it (who, what, why). */
export interface BlockInfo {
  readonly kind: PointerKindName;
  readonly value: string;
  readonly reason: string;
  readonly proposalId: string;
  readonly decisionId: string;
  /** Chain height the decision took effect at. */
  readonly height: string;
}

/** What a refused client is told: the decision and how to appeal it. */
export const APPEAL_HINT =
  "governance blocked this pointer; the owner may appeal through a governance proposal to unblock it " +
  "(see /dsdn/compliance/v1/decisions on the chain's REST API)";

/** Thrown by a serve path for a blocked pointer; HTTP 451 Unavailable For Legal Reasons. */
export class BlockedError extends BaseError {
  override readonly name = "BlockedError";
  constructor(readonly block: BlockInfo) {
    super(
      ErrorCode.Blocked,
      `${block.kind} ${block.value} is blocked by governance (proposal ${block.proposalId}): ${block.reason}; ` +
        "appeal by a governance proposal to unblock it",
      {
        details: APPEAL_HINT,
        meta: {
          blocked: {
            kind: block.kind,
            value: block.value,
            reason: block.reason,
            proposalId: block.proposalId,
            decisionId: block.decisionId,
          },
          appeal: APPEAL_HINT,
        },
      },
    );
  }
}

/** The one compliance check every serve path calls. A node started without a chain uses `NO_BLOCKS`. */
export interface ComplianceGate {
  /** The block on this CID, if any. */
  blockOf(cid: string): BlockInfo | undefined;
  /** The block covering this request URL's path (after normalisation), if any. */
  routeBlock(url: string): BlockInfo | undefined;
}

export const NO_BLOCKS: ComplianceGate = { blockOf: () => undefined, routeBlock: () => undefined };

export const isBlocked = (gate: ComplianceGate, cid: string): boolean => gate.blockOf(cid) !== undefined;

/** Throws BlockedError when any of `cids` is blocked. */
export function assertServable(gate: ComplianceGate, cids: Iterable<string>): void {
  for (const cid of cids) {
    const b = gate.blockOf(cid);
    if (b) throw new BlockedError(b);
  }
}

/** The in-memory list; replaced whole from a snapshot, then changed one decision at a time. */
export class BlockList implements ComplianceGate {
  private readonly cids = new Map<string, BlockInfo>();
  private readonly routes = new Map<string, BlockInfo>();

  get size(): number {
    return this.cids.size + this.routes.size;
  }

  replaceAll(blocks: readonly BlockInfo[]): void {
    this.cids.clear();
    this.routes.clear();
    for (const b of blocks) this.add(b);
  }

  add(b: BlockInfo): void {
    (b.kind === "cid" ? this.cids : this.routes).set(b.value, b);
  }

  remove(kind: PointerKindName, value: string): void {
    (kind === "cid" ? this.cids : this.routes).delete(value);
  }

  blockOf(cid: string): BlockInfo | undefined {
    return this.cids.get(cid);
  }

  routeBlock(url: string): BlockInfo | undefined {
    if (this.routes.size === 0) return undefined;
    const path = normalizeRequestPath(url);
    // Every prefix of the path at a segment boundary, each one map lookup: O(segments), not O(blocks).
    for (let i = path.length; i > 0; i = path.lastIndexOf("/", i - 1)) {
      const b = this.routes.get(path.slice(0, i));
      if (b && routeCovers(b.value, path)) return b;
    }
    return undefined;
  }
}
