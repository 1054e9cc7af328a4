/** @module Committee-signed coordinator requests (POST /challenge): ed25519 by a coordinator key, fresh and used once. */
import { ed25519Sign } from "../../common/ed25519.js";
import { nativeVerify } from "../../common/ed25519Native.js";
import { toHex } from "../../common/hash.js";

/** A request is accepted within this many ms of its signing time (either side, for clock skew). */
export const REQUEST_WINDOW_MS = 60_000;

export interface ChallengeRequest {
  readonly cid: string;
  readonly node: string;
  /** Hex ed25519 public key of the signing committee member. */
  readonly signer: string;
  readonly signedAtMs: number;
  /** Hex ed25519 signature over challengeRequestBytes(). */
  readonly signature: string;
}

export function challengeRequestBytes(cid: string, node: string, signedAtMs: number): Uint8Array {
  return new TextEncoder().encode(`dsdn.coordinator.v1.ChallengeRequest\0${cid}\0${node}\0${signedAtMs}`);
}

export function signChallengeRequest(
  cid: string,
  node: string,
  key: { readonly secretKey: Uint8Array; readonly publicKey: Uint8Array },
  now = Date.now(),
): ChallengeRequest {
  const signature = ed25519Sign(challengeRequestBytes(cid, node, now), key.secretKey);
  return { cid, node, signer: toHex(key.publicKey), signedAtMs: now, signature: toHex(signature) };
}

/**
 * Remembers signatures seen inside the freshness window, so a captured request cannot be sent twice;
 * anything older than the window is refused outright, which keeps the memory bounded.
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();

  /** A reason to refuse, or undefined (and the signature is now spent). */
  use(signature: string, signedAtMs: number, now = Date.now()): string | undefined {
    if (!Number.isSafeInteger(signedAtMs) || Math.abs(now - signedAtMs) > REQUEST_WINDOW_MS)
      return `request signed at ${signedAtMs} is outside the ${REQUEST_WINDOW_MS / 1000} s window`;
    for (const [s, at] of this.seen) {
      if (now - at <= 2 * REQUEST_WINDOW_MS) break;
      this.seen.delete(s);
    }
    if (this.seen.has(signature)) return "request already used (replay)";
    this.seen.set(signature, now);
    return undefined;
  }
}

/** True when `req` carries a valid signature by `req.signer`. */
export function verifyChallengeRequest(req: ChallengeRequest): boolean {
  if (!/^[0-9a-f]{64}$/.test(req.signer) || !/^[0-9a-f]{128}$/.test(req.signature)) return false;
  return nativeVerify(
    Buffer.from(req.signature, "hex"),
    challengeRequestBytes(req.cid, req.node, req.signedAtMs),
    Buffer.from(req.signer, "hex"),
  );
}
