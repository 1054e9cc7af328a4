/** @module Test helpers for the runtime: fixture loading and wat→wasm through Debian's wabt (wat2wasm). */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const FIXTURES = join(import.meta.dirname, "fixtures");

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, name)));
}

/** Assembles WebAssembly text with wat2wasm (extra flags such as --enable-threads pass through). */
export function wat(text: string, flags: string[] = []): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "dsdn-wat-"));
  try {
    writeFileSync(join(dir, "m.wat"), text);
    execFileSync("wat2wasm", [...flags, join(dir, "m.wat"), "-o", join(dir, "m.wasm")], { stdio: "pipe" });
    return new Uint8Array(readFileSync(join(dir, "m.wasm")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
