/** @module The fallback router's state machine (roadmap T14A.1A) as a pure function of health observations. */

export type FallbackState = "healthy" | "warning" | "degraded" | "emergency" | "recovering";

/** Where new blobs go in each state. Warning and Recovering still write to the primary. */
export type FallbackTarget = "primary" | "secondary" | "emergency";

export function targetOf(state: FallbackState): FallbackTarget {
  if (state === "degraded") return "secondary";
  if (state === "emergency") return "emergency";
  return "primary";
}

export interface FallbackThresholds {
  /** Primary answers, but slower than this → Warning (roadmap: 30 s). */
  readonly warnLatencyMs: number;
  /** Primary unreachable this long → Degraded: post to the secondary (roadmap: 5 min). */
  readonly degradedAfterMs: number;
  /** Primary unreachable this long → Emergency: post to the emergency DA (roadmap: 30 min). */
  readonly emergencyAfterMs: number;
}

export const defaultFallbackThresholds: FallbackThresholds = {
  warnLatencyMs: 30_000,
  degradedAfterMs: 5 * 60_000,
  emergencyAfterMs: 30 * 60_000,
};

/** One health probe round. `secondaryUp` is only probed while it matters (Degraded/Emergency). */
export interface HealthObservation {
  readonly nowMs: number;
  readonly primaryUp: boolean;
  readonly primaryLatencyMs?: number;
  readonly secondaryUp: boolean;
  /** Blobs written to a fallback layer that are not on the primary yet. */
  readonly pendingReconcile: number;
}

export interface FallbackSnapshot {
  readonly state: FallbackState;
  /** When the primary was first seen down in the current outage (undefined while it answers). */
  readonly downSinceMs: number | undefined;
  readonly sinceMs: number;
}

export interface FallbackTransition {
  readonly from: FallbackState;
  readonly to: FallbackState;
  readonly reason: string;
}

export function initialSnapshot(nowMs: number): FallbackSnapshot {
  return { state: "healthy", downSinceMs: undefined, sinceMs: nowMs };
}

/**
 * Next snapshot after one observation. Rules, in order:
 * - primary down: Warning at once, Degraded after `degradedAfterMs`, Emergency after `emergencyAfterMs`
 *   or as soon as the secondary is down too while Degraded; never back up the ladder while still down;
 * - primary up again after Degraded/Emergency (or with blobs still to reconcile): Recovering until
 *   nothing is pending, then Healthy (or Warning when slow);
 * - primary up and slow: Warning; up and fast: Healthy.
 */
export function nextSnapshot(
  prev: FallbackSnapshot,
  o: HealthObservation,
  t: FallbackThresholds,
): { snapshot: FallbackSnapshot; transition?: FallbackTransition } {
  let to: FallbackState;
  let reason: string;
  let downSince = prev.downSinceMs;
  if (!o.primaryUp) {
    downSince ??= o.nowMs;
    const down = o.nowMs - downSince;
    const wasFailover = prev.state === "degraded" || prev.state === "emergency";
    if (down >= t.emergencyAfterMs || prev.state === "emergency") {
      to = "emergency";
      reason = `primary down for ${down} ms`;
    } else if (wasFailover && !o.secondaryUp) {
      to = "emergency";
      reason = `primary down for ${down} ms and the secondary is down too`;
    } else if (down >= t.degradedAfterMs || wasFailover) {
      to = "degraded";
      reason = `primary down for ${down} ms`;
    } else {
      to = "warning";
      reason = `primary unreachable (${down} ms)`;
    }
  } else {
    downSince = undefined;
    const slow = (o.primaryLatencyMs ?? 0) > t.warnLatencyMs;
    const failover = prev.state === "degraded" || prev.state === "emergency";
    if (failover || (prev.state === "recovering" && o.pendingReconcile > 0) || o.pendingReconcile > 0) {
      to = "recovering";
      reason = `primary is back; ${o.pendingReconcile} blob(s) to reconcile`;
    } else if (slow) {
      to = "warning";
      reason = `primary latency ${o.primaryLatencyMs} ms > ${t.warnLatencyMs} ms`;
    } else {
      to = "healthy";
      reason = prev.state === "recovering" ? "reconciled; primary healthy" : "primary healthy";
    }
  }
  if (to === prev.state) return { snapshot: { state: to, downSinceMs: downSince, sinceMs: prev.sinceMs } };
  return {
    snapshot: { state: to, downSinceMs: downSince, sinceMs: o.nowMs },
    transition: { from: prev.state, to, reason },
  };
}
