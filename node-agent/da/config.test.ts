/** @module DA env config: defaults, namespace v0 validation naming the field, token never echoed. */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { celestiaOptionsFromConfig, loadDAConfig } from "./config.js";
import { daOptionsFromCli } from "./replay/createDALayer.js";

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

describe("DA tokens stay out of URLs and command lines", () => {
  it("refuses a DA_RPC_URL carrying ?token= or credentials", () => {
    for (const url of ["http://127.0.0.1:26658/?token=abc", "http://user:pw@127.0.0.1:26658"])
      expect(() => loadDAConfig({ env: { DA_RPC_URL: url, DA_NAMESPACE: NS } })).toThrow(/\?token=|credentials/);
  });

  it("reads DA_AUTH_TOKEN_FILE (owner-only) and refuses one others can read", () => {
    const dir = mkdtempSync(join(tmpdir(), "dsdn-token-"));
    try {
      const f = join(dir, "read.token");
      writeFileSync(f, "secret-token\n", { mode: 0o600 });
      expect(loadDAConfig({ env: { DA_AUTH_TOKEN_FILE: f, DA_NAMESPACE: NS } }).authToken).toBe("secret-token");
      chmodSync(f, 0o644);
      expect(() => loadDAConfig({ env: { DA_AUTH_TOKEN_FILE: f, DA_NAMESPACE: NS } })).toThrow(
        /accessible by other users/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("every dsdn-node command refuses --token and takes --token-file", () => {
    expect(() => daOptionsFromCli({ token: "abc" })).toThrow(/--token is not accepted/);
    expect(daOptionsFromCli({ "token-file": "/x/read.token", da: "http://h:1" })).toEqual({
      tokenFile: "/x/read.token",
      url: "http://h:1",
    });
  });
});
