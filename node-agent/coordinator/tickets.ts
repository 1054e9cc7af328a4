/** @module Ticket issuance: placement tickets for uploaders, heal tickets for nodes DA places a chunk on. */
import { isValidCid } from "../../common/cid.js";
import { BaseError, ErrorCode, InvalidArgumentError } from "../../common/errors.js";
import type { ReplayState } from "../da/replay/state.js";
import type { Placement } from "../placement/placement.js";
import { DEFAULT_MAX_BODY } from "../storage/chunker.js";
import { signTicket } from "../storage/ticket.js";

/** Tickets live long enough for a large upload to finish and be declared, not forever. */
export const DEFAULT_TICKET_TTL_MS = 3_600_000;

export interface TicketGrant {
  readonly nodeId: string;
  readonly zone: string;
  readonly endpoint: string;
  /** base64 SignedPlacementTicket, sent by the uploader in the PUT's x-dsdn-ticket header. */
  readonly ticket: string;
  readonly expiresAtMs: number;
}

export interface TicketIssuer {
  readonly secretKey: Uint8Array;
  readonly ttlMs: number;
  readonly now: () => number;
}

/** One ticket per node of `placement`, each binding the CID, the exact size, that node and the expiry. */
export function placementTickets(
  issuer: TicketIssuer,
  state: ReplayState,
  placement: Placement,
  size: number,
  uploader: string,
): TicketGrant[] {
  if (!Number.isSafeInteger(size) || size < 1 || size > DEFAULT_MAX_BODY)
    throw new InvalidArgumentError(`chunk size must be 1–${DEFAULT_MAX_BODY} bytes, got ${size}`);
  const declared = state.getChunk(placement.cid);
  if (declared && declared.size !== BigInt(size))
    throw new BaseError(
      ErrorCode.Conflict,
      `${placement.cid} is declared with ${declared.size} bytes on DA, not ${size}`,
    );
  const issuedAtMs = issuer.now();
  const expiresAtMs = issuedAtMs + issuer.ttlMs;
  return placement.nodes.map((n) => ({
    nodeId: n.nodeId,
    zone: n.zone,
    endpoint: n.endpoint,
    expiresAtMs,
    ticket: signTicket(
      { kind: "placement", cid: placement.cid, size, nodeId: n.nodeId, uploader, issuedAtMs, expiresAtMs },
      issuer.secretKey,
    ),
  }));
}

/** A heal ticket only for a chunk DA declares and places on `nodeId`, while that node is Active. */
export function healTicket(issuer: TicketIssuer, state: ReplayState, cid: string, nodeId: string): TicketGrant {
  if (!isValidCid(cid)) throw new InvalidArgumentError(`"${cid.slice(0, 80)}" is not a CIDv1 raw sha2-256`);
  const chunk = state.getChunk(cid);
  if (!chunk) throw new BaseError(ErrorCode.NotFound, `chunk ${cid} is not declared on DA`);
  if (!chunk.placement.includes(nodeId))
    throw new BaseError(ErrorCode.Conflict, `chunk ${cid} is not placed on node ${nodeId.slice(0, 16)}…`);
  const node = state.getNode(nodeId);
  if (node?.status !== "active") throw new BaseError(ErrorCode.Conflict, `node ${nodeId.slice(0, 16)}… is not Active`);
  const issuedAtMs = issuer.now();
  const expiresAtMs = issuedAtMs + issuer.ttlMs;
  return {
    nodeId,
    zone: node.zone,
    endpoint: node.endpoint,
    expiresAtMs,
    ticket: signTicket(
      { kind: "heal", cid, size: chunk.size, nodeId, uploader: chunk.uploader, issuedAtMs, expiresAtMs },
      issuer.secretKey,
    ),
  };
}
