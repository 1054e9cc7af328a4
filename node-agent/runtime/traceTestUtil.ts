/** @module Small helpers for trace tests. */
export { equal } from "../../common/wasm/trace/hashing.js";

export function bytesToHexForTest(b: Uint8Array): string {
  return Buffer.from(b).toString("hex");
}
