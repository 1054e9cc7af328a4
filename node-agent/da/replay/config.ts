/** @module Replay rules every replayer must share: which publisher keys are coordinators. */

import { ConfigError } from "../../../common/errors.js";
import { sha256Native, toHex } from "../../../common/hash.js";

export interface ReplayConfigInput {
  /** ed25519 public keys (32 bytes or 64 hex chars) allowed to publish coordinator events. */
  readonly coordinators: readonly (Uint8Array | string)[];
}

export interface ReplayConfig {
  /** Lowercase hex, sorted, unique. */
  readonly coordinators: ReadonlySet<string>;
  /** sha256 of the rules; a checkpoint built under other rules is not reused. */
  readonly fingerprint: Uint8Array;
}

export function replayConfig(input: ReplayConfigInput): ReplayConfig {
  const keys = new Set<string>();
  for (const c of input.coordinators) {
    const hex = typeof c === "string" ? c.toLowerCase() : toHex(c);
    if (!/^[0-9a-f]{64}$/.test(hex))
      throw new ConfigError("coordinators", `"${hex.slice(0, 70)}" is not a 32-byte ed25519 key in hex`);
    keys.add(hex);
  }
  const list = [...keys].sort();
  const fingerprint = sha256Native(
    new TextEncoder().encode(`dsdn.da.v1.replay-config\0coordinators=${list.join(",")}`),
  );
  return { coordinators: new Set(list), fingerprint };
}

/** Parses `DSDN_COORDINATOR_KEYS`-style lists: hex keys separated by commas or whitespace. */
export function parseCoordinatorList(text: string | undefined): string[] {
  return (text ?? "").split(/[\s,]+/).filter((s) => s.length > 0);
}
