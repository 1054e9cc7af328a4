/** @module Placement and heal tickets: the coordinator's signed permission for one node to store one chunk. */
import { randomBytes } from "node:crypto";
import { parseCid } from "../../common/cid.js";
import { ed25519KeyPair, ed25519Sign, ed25519Verify } from "../../common/ed25519.js";
import { BaseError, ErrorCode } from "../../common/errors.js";
import { concatBytes, sha256, toHex } from "../../common/hash.js";
import { decodeCanonical, encodeMessage } from "../../common/protobuf.js";
import { PlacementTicket, SignedPlacementTicket, TicketKind } from "../../proto/gen/dsdn/storage/v1/ticket.js";

export { PlacementTicket, TicketKind };

/** Domain separation: a ticket signature is never valid as a signature over any other message type. */
const TICKET_DOMAIN = new TextEncoder().encode("dsdn.storage.v1.PlacementTicket\0");

/** The HTTP header a PUT carries its ticket in (base64 of SignedPlacementTicket). */
export const TICKET_HEADER = "x-dsdn-ticket";

/** A signed ticket is a few hundred bytes; anything much larger is not one. */
const MAX_TICKET_BYTES = 1024;

export interface TicketFields {
  readonly kind: "placement" | "heal";
  readonly cid: string;
  readonly size: number | bigint;
  /** Hex ed25519 key of the node the ticket is for. */
  readonly nodeId: string;
  readonly uploader: string;
  readonly issuedAtMs: number;
  readonly expiresAtMs: number;
}

export interface VerifiedTicket {
  readonly ticket: PlacementTicket;
  /** sha256 of the encoded ticket: what acks name. */
  readonly id: Uint8Array;
  readonly kind: "placement" | "heal";
  readonly coordinator: string;
  readonly nodeId: string;
  readonly size: number;
  readonly expiresAtMs: number;
}

/** Signs a ticket with the coordinator's ed25519 seed; returns base64 of SignedPlacementTicket. */
export function signTicket(fields: TicketFields, coordinatorSeed: Uint8Array): string {
  const { publicKey } = ed25519KeyPair(coordinatorSeed);
  const ticket = encodeMessage(PlacementTicket, {
    kind: fields.kind === "heal" ? TicketKind.TICKET_KIND_HEAL : TicketKind.TICKET_KIND_PLACEMENT,
    cid: fields.cid,
    size: BigInt(fields.size),
    nodeId: Buffer.from(fields.nodeId, "hex"),
    uploader: fields.uploader,
    issuedAtMs: BigInt(fields.issuedAtMs),
    expiresAtMs: BigInt(fields.expiresAtMs),
    coordinatorPubkey: Buffer.from(publicKey),
    nonce: randomBytes(16),
  });
  const signature = ed25519Sign(concatBytes(TICKET_DOMAIN, ticket), coordinatorSeed);
  const signed = encodeMessage(SignedPlacementTicket, {
    ticket: Buffer.from(ticket),
    signature: Buffer.from(signature),
  });
  return Buffer.from(signed).toString("base64");
}

function refuse(message: string, details?: string): BaseError {
  return new BaseError(ErrorCode.Unauthorized, message, details ? { details } : {});
}

/** Decodes a base64 ticket and checks its signature only (who signed it is the caller's rule). */
export function decodeTicket(b64: string): VerifiedTicket {
  if (b64.length > (MAX_TICKET_BYTES * 4) / 3 + 4 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64))
    throw refuse("placement ticket is not base64 of a SignedPlacementTicket");
  let outer: SignedPlacementTicket;
  let t: PlacementTicket;
  try {
    outer = decodeCanonical(SignedPlacementTicket, Buffer.from(b64, "base64"), "SignedPlacementTicket");
    t = decodeCanonical(PlacementTicket, outer.ticket, "PlacementTicket");
  } catch (e) {
    throw new BaseError(ErrorCode.Unauthorized, "placement ticket cannot be decoded", { cause: e });
  }
  if (t.coordinatorPubkey.length !== 32 || t.nodeId.length !== 32)
    throw refuse("placement ticket names a malformed node or coordinator key");
  if (!ed25519Verify(outer.signature, concatBytes(TICKET_DOMAIN, outer.ticket), t.coordinatorPubkey))
    throw refuse("placement ticket signature does not verify");
  const kind =
    t.kind === TicketKind.TICKET_KIND_HEAL ? "heal" : t.kind === TicketKind.TICKET_KIND_PLACEMENT ? "placement" : null;
  if (!kind) throw refuse("placement ticket has no kind");
  if (t.size > BigInt(Number.MAX_SAFE_INTEGER)) throw refuse("placement ticket size is out of range");
  return {
    ticket: t,
    id: sha256(outer.ticket),
    kind,
    coordinator: toHex(t.coordinatorPubkey),
    nodeId: toHex(t.nodeId),
    size: Number(t.size),
    expiresAtMs: Number(t.expiresAtMs),
  };
}

export interface TicketCheck {
  /** Hex ed25519 keys of the coordinators this node takes tickets from. */
  readonly trustedCoordinators: ReadonlySet<string>;
  /** This node's id (hex). */
  readonly nodeId: string;
  readonly cid: string;
  readonly nowMs: number;
}

/**
 * The storage node's rule: a ticket authorizes a PUT only when a trusted coordinator signed it, for this
 * node, for this exact CID, and it has not expired. Throws an Unauthorized error naming what is wrong.
 */
export function checkTicket(b64: string | undefined, c: TicketCheck): VerifiedTicket {
  if (b64 === undefined || b64 === "")
    throw refuse(
      `PUT needs a coordinator-signed placement ticket in the ${TICKET_HEADER} header`,
      "ask the coordinator for tickets (dsdn upload does) — this node stores only what the network placed on it",
    );
  const v = decodeTicket(b64);
  if (!c.trustedCoordinators.has(v.coordinator))
    throw refuse(`placement ticket is signed by ${v.coordinator.slice(0, 16)}…, not by a coordinator this node trusts`);
  if (v.nodeId !== c.nodeId) throw refuse(`placement ticket is for node ${v.nodeId.slice(0, 16)}…, not this node`);
  if (v.ticket.cid !== parseCid(c.cid).cid) throw refuse(`placement ticket is for ${v.ticket.cid}, not ${c.cid}`);
  if (v.expiresAtMs <= c.nowMs)
    throw refuse(`placement ticket expired at ${new Date(v.expiresAtMs).toISOString()}`, "ask the coordinator again");
  return v;
}
