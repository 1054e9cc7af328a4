/** @module Option parsing shared by the `dsdn` storage commands. */

import { resolve } from "node:path";
import { InvalidArgumentError } from "../../../common/errors.js";
import { auditLines } from "../../../node-agent/http/disclosedClient.js";
import { parseSize } from "../../../node-agent/storage/chunker.js";
import type { UploaderKey } from "../../agent/uploaderKey.js";
import { loadDsdnConfig } from "../config.js";

export function nodeUrls(values: Record<string, unknown>): string[] {
  const v = values.node;
  const list = Array.isArray(v) ? v.map(String) : typeof v === "string" ? [v] : [];
  const env =
    process.env.DSDN_NODES?.split(",")
      .map((s) => s.trim())
      .filter(Boolean) ?? [];
  const nodes = list.length ? list : env;
  if (nodes.length === 0) throw new InvalidArgumentError("give at least one --node URL (or set DSDN_NODES)");
  return nodes;
}

export function positiveInt(values: Record<string, unknown>, name: string): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new InvalidArgumentError(`--${name} must be an integer 1–64, got "${v}"`);
  return n;
}

export function optionalSize(values: Record<string, unknown>, name: string): number | undefined {
  const v = values[name];
  return typeof v === "string" ? parseSize(v, `--${name}`) : undefined;
}

/** The signing key from `--from NAME` / `--keyring-dir DIR` / `--keyring-backend` / `--keyring-passphrase-file`. */
export async function uploaderKeyFrom(values: Record<string, unknown>): Promise<UploaderKey> {
  const from = typeof values.from === "string" ? values.from : loadDsdnConfig().from;
  const dir = values["keyring-dir"];
  const backend = values["keyring-backend"];
  if (backend !== undefined && backend !== "test" && backend !== "file")
    throw new InvalidArgumentError(`--keyring-backend must be "test" or "file", got "${String(backend)}"`);
  const file = values["keyring-passphrase-file"];
  // Loaded here, not at the top: the keyring pulls in cosmjs, which `dsdn get` and `--node` uploads never need
  // (CLI start time).
  const { loadUploaderKey } = await import("../../agent/uploaderKey.js");
  return loadUploaderKey({
    ...(from ? { from } : {}),
    ...(typeof dir === "string" ? { keyringDir: resolve(dir) } : {}),
    ...(backend ? { backend } : {}),
    ...(typeof file === "string" ? { passphraseFile: resolve(file) } : {}),
  });
}

/** The keyring options `dsdn upload` and `dsdn delete` take. */
export const keyOptions = {
  from: { type: "string" },
  "keyring-dir": { type: "string" },
  "keyring-backend": { type: "string" },
  "keyring-passphrase-file": { type: "string" },
} as const;

/**
 * `--verbose`: the clients ask each API for disclosure level 3 and the audit data of the answers (receipt hashes,
 * DA references, tx hashes) is gathered here, to print after the command's own output (or add to its JSON).
 */
export function auditCollector(verbose: boolean | undefined) {
  let seen: Record<string, unknown> | undefined;
  return {
    sink: verbose
      ? (a: Readonly<Record<string, unknown>>) => {
          seen = { ...seen, ...a };
        }
      : undefined,
    /** The gathered audit, or undefined when not verbose. */
    get audit() {
      return verbose ? (seen ?? {}) : undefined;
    },
    print(line: (l: string) => void): void {
      if (verbose) for (const l of auditLines(seen ?? {})) line(l);
    },
  };
}
