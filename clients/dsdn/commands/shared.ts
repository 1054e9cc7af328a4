/** @module Option parsing shared by the `dsdn` storage commands. */

import { resolve } from "node:path";
import { InvalidArgumentError } from "../../../common/errors.js";
import { parseSize } from "../../../node-agent/storage/chunker.js";
import { loadUploaderKey, type UploaderKey } from "../../agent/uploaderKey.js";
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

/** The signing key from `--from NAME` / `--keyring-dir DIR`, else the config's `from`, else dsdn's default key. */
export function uploaderKeyFrom(values: Record<string, unknown>): UploaderKey {
  const from = typeof values.from === "string" ? values.from : loadDsdnConfig().from;
  const dir = values["keyring-dir"];
  return loadUploaderKey({
    ...(from ? { from } : {}),
    ...(typeof dir === "string" ? { keyringDir: resolve(dir) } : {}),
  });
}
