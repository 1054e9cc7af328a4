/** @module Deterministic protobuf helpers around ts-proto / cosmjs-types message codecs. */

import { Any } from "cosmjs-types/google/protobuf/any";
import { BaseError, ErrorCode } from "./errors.js";

/** What ts-proto and cosmjs-types generate for every message. */
export interface MessageCodec<T> {
  encode(message: T, writer?: any): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
  fromPartial(object: any): T;
}

/**
 * Canonical bytes of a message. ts-proto writes fields in field-number order and skips default
 * scalars, so equal messages always encode to equal bytes — the property hashes and signatures need.
 */
export function encodeMessage<T>(codec: MessageCodec<T>, value: Partial<T> | T): Uint8Array {
  return codec.encode(codec.fromPartial(value)).finish();
}

/** Decodes, turning any parse failure into a typed error rather than a crash. */
export function decodeMessage<T>(codec: MessageCodec<T>, bytes: Uint8Array, what = "message"): T {
  try {
    return codec.decode(bytes);
  } catch (e) {
    throw new BaseError(ErrorCode.Decode, `cannot decode ${what}`, { cause: e });
  }
}

/** Decode then re-encode must give the same bytes; refuses non-canonical encodings of signed data. */
export function decodeCanonical<T>(codec: MessageCodec<T>, bytes: Uint8Array, what = "message"): T {
  const msg = decodeMessage(codec, bytes, what);
  const again = codec.encode(msg).finish();
  if (Buffer.compare(Buffer.from(again), Buffer.from(bytes)) !== 0) {
    throw new BaseError(ErrorCode.Decode, `non-canonical encoding of ${what}`);
  }
  return msg;
}

export function packAny<T>(typeUrl: string, codec: MessageCodec<T>, value: Partial<T> | T): Any {
  return Any.fromPartial({ typeUrl, value: encodeMessage(codec, value) });
}

export function unpackAny<T>(any: Any, typeUrl: string, codec: MessageCodec<T>): T {
  if (any.typeUrl !== typeUrl) {
    throw new BaseError(ErrorCode.Decode, `expected Any of ${typeUrl}, got ${any.typeUrl}`);
  }
  return decodeMessage(codec, any.value, typeUrl);
}
