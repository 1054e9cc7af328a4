/** @module Shared fixtures for the DA transport e2e tests: temp dirs, free ports, raw JSON-RPC calls. */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DA_DEFAULT_LIMITS } from "../../node-agent/da/localserver/server.js";
import type { ServiceLimits } from "../../node-agent/http/serviceLimits.js";

/**
 * Limits for a LocalDAServer inside a test process: no load shedding on event-loop delay. The server shares its loop
 * with the test's own synchronous work (13-16 MiB bodies built and parsed in the same process), which a loaded
 * machine stretches past the 5 s threshold, and then answers 503; a real DA node sheds load in its own process.
 */
export const IN_PROCESS_DA_LIMITS: ServiceLimits = { ...DA_DEFAULT_LIMITS, maxEventLoopDelayMs: 0 };

export function tempDir(prefix = "dsdn-da-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A loopback port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RawResponse {
  readonly status: number;
  readonly body: { result?: unknown; error?: { code: number; message: string } } | string;
}

/** One JSON-RPC call with fetch, bypassing the client, to check the server's exact wire behaviour. */
export async function rawCall(url: string, method: string, params: unknown[], token?: string): Promise<RawResponse> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ jsonrpc: "2.0", id: 7, method, params }),
  });
  const text = await res.text();
  let body: RawResponse["body"];
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body };
}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
