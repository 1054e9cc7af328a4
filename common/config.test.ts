import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";
import { ConfigError } from "./errors.js";

const spec = {
  rpcUrl: { type: "url", env: "DA_RPC_URL", default: "http://127.0.0.1:26658" },
  timeoutMs: {
    type: "int",
    env: "DA_TIMEOUT_MS",
    default: 30_000,
    check: (v: number) => (v > 0 ? undefined : "must be > 0"),
  },
  token: { type: "string", env: "DA_AUTH_TOKEN", secret: true, required: true },
  namespace: {
    type: "hex",
    env: "DA_NAMESPACE",
    check: (v: string) => (v.length === 58 ? undefined : "must be 58 hex characters"),
  },
} as const;

describe("loadConfig", () => {
  it("takes env over file over default", () => {
    const dir = mkdtempSync(join(tmpdir(), "cfg-"));
    const file = join(dir, "c.json");
    writeFileSync(file, JSON.stringify({ timeoutMs: 5, token: "from-file" }));
    const c = loadConfig(spec, { file, env: { DA_TIMEOUT_MS: "7" } });
    expect(c).toEqual({ rpcUrl: "http://127.0.0.1:26658", timeoutMs: 7, token: "from-file", namespace: undefined });
  });

  it("names the bad field and its source", () => {
    const err = (() => {
      try {
        loadConfig(spec, { env: { DA_AUTH_TOKEN: "t", DA_TIMEOUT_MS: "soon" } });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err?.field).toBe("timeoutMs");
    expect(err?.message).toMatch(/"timeoutMs".*integer.*env DA_TIMEOUT_MS/);
    expect(() => loadConfig(spec, { env: {} })).toThrow(/"token": is required \(set DA_AUTH_TOKEN\)/);
    expect(() => loadConfig(spec, { env: { DA_AUTH_TOKEN: "t", DA_NAMESPACE: "00ff" } })).toThrow(
      /"namespace": must be 58 hex/,
    );
    expect(() => loadConfig(spec, { env: { DA_AUTH_TOKEN: "t", DA_RPC_URL: "nope" } })).toThrow(/"rpcUrl"/);
  });

  it("never echoes a secret value", () => {
    const s = { token: { type: "int", env: "TOK", secret: true } } as const;
    expect(() => loadConfig(s, { env: { TOK: "super-secret-value" } })).toThrow(/<redacted>/);
    try {
      loadConfig(s, { env: { TOK: "super-secret-value" } });
    } catch (e) {
      expect(String((e as Error).message)).not.toContain("super-secret-value");
    }
  });

  it("refuses unknown fields in a file", () => {
    const dir = mkdtempSync(join(tmpdir(), "cfg-"));
    const file = join(dir, "c.json");
    writeFileSync(file, JSON.stringify({ token: "x", rpcURL: "http://x" }));
    expect(() => loadConfig(spec, { file })).toThrow(/"rpcURL": unknown field/);
  });
});
