/** @module Replay protection: every session id is accepted once, and only while its deadline is near and ahead. */
import { toHex } from "../../../common/hash.js";
import { FrostAuthError, FrostReplayError } from "./errors.js";

/** Sessions may not claim to live longer than this; it bounds how long ids must be remembered. */
export const DEFAULT_MAX_SESSION_MS = 10 * 60_000;

export class SessionGuard {
  readonly #seen = new Map<string, number>(); // session id hex -> expires_at_ms

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxSessionMs = DEFAULT_MAX_SESSION_MS,
  ) {}

  /**
   * Claims a new session id. Refuses ids seen before, expired deadlines, and deadlines further away
   * than maxSessionMs (which would force us to remember ids for ever).
   */
  claim(kind: string, sessionId: Uint8Array, expiresAtMs: bigint): void {
    if (sessionId.length !== 32) throw new FrostAuthError(`${kind}: session id must be 32 bytes`);
    const now = this.now();
    const exp = Number(expiresAtMs);
    if (exp <= now) throw new FrostReplayError(`${kind}: session ${toHex(sessionId).slice(0, 16)}… has expired`);
    if (exp > now + this.maxSessionMs) {
      throw new FrostAuthError(`${kind}: session deadline is more than ${this.maxSessionMs} ms away`);
    }
    this.#prune(now);
    const key = `${kind}:${toHex(sessionId)}`;
    if (this.#seen.has(key)) {
      throw new FrostReplayError(`${kind}: session ${toHex(sessionId).slice(0, 16)}… was already used (replay)`);
    }
    this.#seen.set(key, exp);
  }

  #prune(now: number): void {
    for (const [k, exp] of this.#seen) if (exp <= now) this.#seen.delete(k);
  }
}
