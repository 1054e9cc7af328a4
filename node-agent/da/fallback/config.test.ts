/** @module Fallback settings from the environment and the router createDALayer builds from them. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadDAConfig } from "../config.js";
import { createDALayer } from "../replay/createDALayer.js";
import { createFallbackLayer, loadFallbackConfig } from "./config.js";
import { FallbackRouter } from "./router.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const NS = `${"00".repeat(19)}${"ab".repeat(10)}`;

describe("fallback config", () => {
  it("thresholds come from DA_FALLBACK_* (defaults are the roadmap's); bad values name the variable", () => {
    const d = loadFallbackConfig({ env: {} });
    expect([d.warnLatencyMs, d.degradedAfterMs, d.emergencyAfterMs]).toEqual([30_000, 300_000, 1_800_000]);
    const t = loadFallbackConfig({ env: { DA_FALLBACK_DEGRADED_AFTER_MS: "1500", DA_FALLBACK_JOURNAL: "/x/j.db" } });
    expect(t.degradedAfterMs).toBe(1500);
    expect(() => loadFallbackConfig({ env: { DA_FALLBACK_HEALTH_INTERVAL_MS: "1" } })).toThrow(
      /DA_FALLBACK_HEALTH_INTERVAL_MS/,
    );
  });

  it("a secondary without a signer is refused (it could never take a post)", async () => {
    const da = loadDAConfig({ env: { DA_NAMESPACE: NS } });
    const cfg = loadFallbackConfig({
      env: { DA_FALLBACK_JOURNAL: "/nonexistent/j.db", DA_SECONDARY_RPC_URL: "http://127.0.0.1:1" },
    });
    await expect(createFallbackLayer(da, cfg)).rejects.toThrow(/DA_SECONDARY_MNEMONIC_FILE/);
  });

  it("createDALayer returns the router when DA_FALLBACK_JOURNAL is set, the plain client otherwise or for readers", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dsdn-fbcfg-"));
    dirs.push(dir);
    const env = {
      DA_NAMESPACE: NS,
      DA_RPC_URL: "http://127.0.0.1:1",
      DA_FALLBACK_JOURNAL: join(dir, "j.db"),
      DA_EMERGENCY_RPC_URL: "http://127.0.0.1:2",
    };
    const routed = await createDALayer({ env, connect: false });
    expect(routed).toBeInstanceOf(FallbackRouter);
    await routed.close();
    const reader = await createDALayer({ env, connect: false, fallback: false });
    expect(reader).not.toBeInstanceOf(FallbackRouter);
    await reader.close();
  });
});
