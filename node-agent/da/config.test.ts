/** @module DA env config: defaults, namespace v0 validation naming the field, token never echoed. */
import { describe, expect, it } from "vitest";
import { celestiaOptionsFromConfig, loadDAConfig } from "./config.js";

const NS = "00000000000000000000000000000000000000000000c27fc4694d31d1";

describe("loadDAConfig", () => {
  it("reads every DA_* variable", () => {
    const cfg = loadDAConfig({
      env: {
        DA_RPC_URL: "http://10.0.0.5:26658",
        DA_AUTH_TOKEN: "tok",
        DA_NAMESPACE: NS.toUpperCase(),
        DA_TIMEOUT_MS: "5000",
        DA_RETRY_COUNT: "4",
        DA_RETRY_DELAY_MS: "250",
        DA_GAS_PRICE: "0.004",
        DA_TX_PRIORITY: "2",
      },
    });
    expect(cfg).toMatchObject({ rpcUrl: "http://10.0.0.5:26658", authToken: "tok", namespaceHex: NS, timeoutMs: 5000 });
    expect(cfg.namespace.length).toBe(29);
    expect(celestiaOptionsFromConfig(cfg)).toMatchObject({
      gasPrice: 0.004,
      txPriority: 2,
      retryCount: 4,
      retryDelayMs: 250,
    });
  });
  it("has defaults except for the namespace", () => {
    expect(() => loadDAConfig({ env: {} })).toThrow(/"namespace".*DA_NAMESPACE/);
    const cfg = loadDAConfig({ env: { DA_NAMESPACE: NS } });
    expect(cfg).toMatchObject({
      rpcUrl: "http://127.0.0.1:26658",
      timeoutMs: 60_000,
      retryCount: 3,
      retryDelayMs: 500,
    });
    expect(cfg.authToken).toBeUndefined();
    expect(cfg.gasPrice).toBeUndefined();
  });
  it("names the broken field and rule", () => {
    expect(() => loadDAConfig({ env: { DA_NAMESPACE: "00ff" } })).toThrow(/"namespace".*58 hex/);
    expect(() => loadDAConfig({ env: { DA_NAMESPACE: `${"00".repeat(28)}ff` } })).toThrow(/reserved/);
    expect(() => loadDAConfig({ env: { DA_NAMESPACE: `01${NS.slice(2)}` } })).toThrow(/version-0/);
    expect(() => loadDAConfig({ env: { DA_NAMESPACE: NS, DA_TX_PRIORITY: "7" } })).toThrow(/"txPriority"/);
    expect(() => loadDAConfig({ env: { DA_NAMESPACE: NS, DA_GAS_PRICE: "cheap" } })).toThrow(/"gasPrice"/);
  });
  it("never echoes the token", () => {
    let message = "";
    try {
      loadDAConfig({ env: { DA_NAMESPACE: NS, DA_AUTH_TOKEN: "supersecret", DA_RPC_URL: "not a url" } });
    } catch (e) {
      message = String(e);
    }
    expect(message).toMatch(/rpcUrl/);
    expect(message).not.toContain("supersecret");
  });
});
