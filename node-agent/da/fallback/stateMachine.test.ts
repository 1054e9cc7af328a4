/** @module Edges of the fallback state machine: each threshold, skipped rungs, recovery and relapse. */
import { describe, expect, it } from "vitest";
import {
  type FallbackSnapshot,
  type FallbackThresholds,
  type HealthObservation,
  initialSnapshot,
  nextSnapshot,
  targetOf,
} from "./stateMachine.js";

const t: FallbackThresholds = { warnLatencyMs: 30, degradedAfterMs: 300, emergencyAfterMs: 1800 };
const up = (nowMs: number, latency = 5, pending = 0): HealthObservation => ({
  nowMs,
  primaryUp: true,
  primaryLatencyMs: latency,
  secondaryUp: true,
  pendingReconcile: pending,
});
const down = (nowMs: number, secondaryUp = true, pending = 0): HealthObservation => ({
  nowMs,
  primaryUp: false,
  secondaryUp,
  pendingReconcile: pending,
});

function run(obs: HealthObservation[], start: FallbackSnapshot = initialSnapshot(0)) {
  let s = start;
  const states: string[] = [];
  for (const o of obs) {
    const r = nextSnapshot(s, o, t);
    s = r.snapshot;
    states.push(s.state);
  }
  return { states, last: s };
}

describe("fallback state machine", () => {
  it("latency exactly at the threshold stays Healthy; one ms above is Warning; fast again is Healthy", () => {
    expect(run([up(1, 30), up(2, 31), up(3, 10)]).states).toEqual(["healthy", "warning", "healthy"]);
  });

  it("down: Warning at once, Degraded at exactly degradedAfterMs, Emergency at exactly emergencyAfterMs", () => {
    const { states } = run([down(100), down(399), down(400), down(1899), down(1900)]);
    expect(states).toEqual(["warning", "warning", "degraded", "degraded", "emergency"]);
  });

  it("a primary down since longer than the emergency threshold skips Degraded (long monitor pause)", () => {
    expect(run([down(0), down(5000)]).states).toEqual(["warning", "emergency"]);
  });

  it("Degraded with the secondary down too goes to Emergency before the 30-min threshold", () => {
    expect(run([down(0), down(300), down(301, false)]).states).toEqual(["warning", "degraded", "emergency"]);
  });

  it("Warning does not jump to Emergency because the secondary is down (the primary may just blip)", () => {
    expect(run([down(0, false), down(10, false)]).states).toEqual(["warning", "warning"]);
  });

  it("Emergency never goes back to Degraded while the primary is still down, even if the secondary returns", () => {
    expect(run([down(0), down(300), down(301, false), down(400, true)]).states).toEqual([
      "warning",
      "degraded",
      "emergency",
      "emergency",
    ]);
  });

  it("primary back after a failover → Recovering while blobs are pending, then Healthy", () => {
    const { states } = run([down(0), down(300), up(500, 5, 3), up(510, 5, 1), up(520, 5, 0)]);
    expect(states).toEqual(["warning", "degraded", "recovering", "recovering", "healthy"]);
  });

  it("primary back after a failover with nothing pending still passes through Recovering (one round)", () => {
    expect(run([down(0), down(300), up(500), up(501)]).states).toEqual([
      "warning",
      "degraded",
      "recovering",
      "healthy",
    ]);
  });

  it("a short outage (Warning only) returns to Healthy without Recovering", () => {
    expect(run([down(0), up(100)]).states).toEqual(["warning", "healthy"]);
  });

  it("relapse during Recovering restarts the outage clock (Warning, not straight to Emergency)", () => {
    const { states, last } = run([down(0), down(2000), up(2100, 5, 2), down(2200, true, 2)]);
    expect(states).toEqual(["warning", "emergency", "recovering", "warning"]);
    expect(last.downSinceMs).toBe(2200);
  });

  it("each change is reported once, with from/to/reason; no report when the state holds", () => {
    const a = nextSnapshot(initialSnapshot(0), down(10), t);
    expect(a.transition).toEqual({ from: "healthy", to: "warning", reason: "primary unreachable (0 ms)" });
    const b = nextSnapshot(a.snapshot, down(20), t);
    expect(b.transition).toBeUndefined();
    expect(b.snapshot.sinceMs).toBe(10);
  });

  it("writes go to the primary except in Degraded (secondary) and Emergency (emergency DA)", () => {
    expect(["healthy", "warning", "degraded", "emergency", "recovering"].map((s) => targetOf(s as never))).toEqual([
      "primary",
      "primary",
      "secondary",
      "emergency",
      "primary",
    ]);
  });
});
