import { describe, expect, it } from "vitest";
import { HealthMonitor } from "./healthMonitor.js";

describe("HealthMonitor", () => {
  it("marks a node dead only after failing for the whole window and enough probes; one success revives it", async () => {
    let now = 0;
    let up = true;
    const m = new HealthMonitor({
      targets: () => [{ nodeId: "n1", endpoint: "http://x" }],
      deadAfterMs: 1000,
      minFailures: 3,
      now: () => now,
      probe: async () => {
        if (!up) throw new Error("ECONNREFUSED");
      },
    });
    await m.probeAll();
    expect(m.isHealthy("n1")).toBe(true);
    up = false;
    await m.probeAll();
    now = 2000;
    expect(m.isDead("n1")).toBe(false); // window passed but only one failed probe
    await m.probeAll();
    await m.probeAll();
    expect(m.get("n1")).toMatchObject({
      healthy: false,
      dead: true,
      consecutiveFailures: 3,
      lastError: "ECONNREFUSED",
    });
    up = true;
    await m.probeAll();
    expect(m.get("n1")).toMatchObject({ healthy: true, dead: false, consecutiveFailures: 0 });
  });

  it("forgets nodes that are no longer targets", async () => {
    let targets = [{ nodeId: "a", endpoint: "http://a" }];
    const m = new HealthMonitor({ targets: () => targets, probe: async () => {} });
    await m.probeAll();
    expect(m.isHealthy("a")).toBe(true);
    targets = [];
    await m.probeAll();
    expect(m.get("a")).toBeUndefined();
  });
});
