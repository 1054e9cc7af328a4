/** @module A fetch response body read to at most N bytes: the first byte over the bound stops the read and cancels the body. */
import { BaseError, ErrorCode } from "../errors.js";

/**
 * Reads `res`'s body, refusing (TooLarge, naming `what`) as soon as it passes `maxBytes` — a server streaming
 * without end, or more than it should, costs the reader at most `maxBytes` plus one chunk.
 */
export async function readBodyBounded(res: Response, maxBytes: number, what: string): Promise<Uint8Array> {
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    await res.body?.cancel().catch(() => {});
    throw new BaseError(ErrorCode.TooLarge, `${what} is ${declared} bytes, more than ${maxBytes}`);
  }
  if (!res.body) return new Uint8Array(0);
  const parts: Uint8Array[] = [];
  let n = 0;
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      n += value.length;
      if (n > maxBytes) throw new BaseError(ErrorCode.TooLarge, `${what} is larger than ${maxBytes} bytes`);
      parts.push(value);
    }
  } catch (e) {
    await reader.cancel().catch(() => {});
    throw e;
  }
  return Buffer.concat(parts);
}
