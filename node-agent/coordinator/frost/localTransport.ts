/** @module In-process transport: calls participants directly, still through encoded bytes, with timeouts and outages. */
import { BaseError, ErrorCode } from "../../../common/errors.js";
import { toHex } from "../../../common/hash.js";
import type { FrostParticipant } from "./participant.js";
import { dispatchFrostRpc, type FrostRpc, type PeerTransport } from "./rpc.js";

export class LocalTransport implements PeerTransport {
  readonly #peers = new Map<string, FrostParticipant>();
  /** Identity keys (hex) that behave as if their process were down. */
  readonly down = new Set<string>();
  /** Optional hook to rewrite a reply in flight (tests: tampering, misbehaving members). */
  intercept?: (peer: string, rpc: FrostRpc, reply: Uint8Array) => Uint8Array;

  constructor(participants: readonly FrostParticipant[]) {
    for (const p of participants) this.#peers.set(toHex(p.publicKey), p);
  }

  async call(peer: Uint8Array, rpc: FrostRpc, body: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    const hex = toHex(peer);
    const p = this.#peers.get(hex);
    if (!p || this.down.has(hex))
      throw new BaseError(ErrorCode.Unavailable, `peer ${hex.slice(0, 16)}… is unreachable`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, fail) => {
      timer = setTimeout(
        () => fail(new BaseError(ErrorCode.Timeout, `peer ${hex.slice(0, 16)}… timed out`)),
        timeoutMs,
      );
    });
    try {
      const reply = await Promise.race([dispatchFrostRpc(p, rpc, body.slice()), timeout]);
      return this.intercept ? this.intercept(hex, rpc, reply) : reply;
    } finally {
      clearTimeout(timer);
    }
  }
}
