/**
 * @module Bridges byte types: ts-proto (env=node) types bytes fields as Buffer, noble takes Uint8Array.
 * Loose<T> lets code build messages from plain Uint8Arrays; ts-proto's codecs accept either at runtime.
 */
import type { MessageCodec } from "../protobuf.js";

/** T with every Buffer field widened to Uint8Array (and Buffer[] to readonly Uint8Array[]). */
export type Loose<T> = {
  [K in keyof T]: T[K] extends Buffer
    ? Uint8Array
    : T[K] extends Buffer[]
      ? readonly Uint8Array[]
      : T[K] extends object | undefined
        ? Loose<NonNullable<T[K]>> | T[K]
        : T[K];
};

/** Builds a message from loosely typed fields (copies nothing; the codec encodes Uint8Arrays as bytes). */
export function makeMessage<T>(codec: MessageCodec<T>, fields: Loose<T>): T {
  return codec.fromPartial(fields as unknown);
}

/** A Buffer (or any Uint8Array view) as the plain Uint8Array<ArrayBuffer> noble's types ask for; no copy. */
export function u8(b: Uint8Array): Uint8Array<ArrayBuffer> {
  return b as Uint8Array<ArrayBuffer>;
}
