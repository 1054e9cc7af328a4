/** @module Uploader-signed ticket requests (POST /tickets): ADR-036 by the uploader's account key, fresh and used once. */
import { adr036SignFields, adr036VerifyFields } from "../../common/adr036.js";
import type { ShardInfo } from "../storage/erasure/shardInfo.js";

/** POST /tickets body: who asks for which chunk, signed by that account so per-uploader quotas hold. */
export interface TicketRequest {
  readonly cid: string;
  readonly size: number;
  /** bech32 "nusa1…" account: the uploader named in every ticket (and charged by the nodes' quotas). */
  readonly uploader: string;
  /** base64 33-byte compressed secp256k1 key of `uploader`. */
  readonly publicKey: string;
  readonly signedAtMs: number;
  /** base64 64-byte ADR-036 signature over ticketRequestBytes(). */
  readonly signature: string;
  /**
   * For a shard of an erasure-coded chunk: its stripe, so the shard is placed with its siblings (one node
   * each, at most m per zone). Not signed: it only chooses where the uploader's own shard goes, and
   * the ticket still binds this cid and size.
   */
  readonly shard?: ShardInfo;
}

export function ticketRequestBytes(cid: string, size: number, signedAtMs: number): Uint8Array {
  return new TextEncoder().encode(`dsdn.coordinator.v1.TicketRequest\0${cid}\0${size}\0${signedAtMs}`);
}

export function signTicketRequest(
  cid: string,
  size: number,
  key: { readonly secretKey: Uint8Array; readonly publicKey: Uint8Array },
  now = Date.now(),
): TicketRequest {
  const { address, publicKey, signature } = adr036SignFields(ticketRequestBytes(cid, size, now), key);
  return { cid, size, uploader: address, publicKey, signedAtMs: now, signature };
}

/** True when `req` carries `req.uploader`'s ADR-036 signature over its cid, size and signing time. */
export function verifyTicketRequest(req: TicketRequest): boolean {
  return adr036VerifyFields(
    req.uploader,
    ticketRequestBytes(req.cid, req.size, req.signedAtMs),
    req.publicKey,
    req.signature,
  );
}
