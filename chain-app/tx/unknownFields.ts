/**
 * @module Rejects protobuf bytes with unknown or mistyped fields, as the Cosmos SDK's codec/unknownproto does.
 *
 * Decoders (ts-proto, cosmjs-types) silently drop fields they do not know, so a signed tx could carry
 * data the chain never looks at but another implementation would. The SDK walks the wire bytes
 * against the schema instead, recursing into embedded messages and into `Any` by type URL: a field
 * it does not know is an error unless its number has bit 11 set (≥ 1024, "non-critical") and the
 * caller allows those (the tx body does; TxRaw and AuthInfo do not); a known field with the wrong
 * wire type is an error too.
 */

/** Wire kind of one field: a scalar class (`[]` = repeated number, packed allowed) or `.pkg.Type`. */
export type FieldKind = string;
export type MessageSchema = Readonly<Record<number, FieldKind>>;

export interface SchemaResolver {
  /** Schema of a message by full name (`cosmos.tx.v1beta1.TxBody`). */
  message(fullName: string): MessageSchema | undefined;
  /**
   * Schema of an `Any`'s payload by type URL; `"opaque"` = check the Any itself but not its value
   * (an extension option nothing reads); undefined = unresolvable, which is an error.
   */
  any(typeUrl: string, path: string): MessageSchema | "opaque" | undefined;
}

export class UnknownFieldError extends Error {
  override readonly name = "UnknownFieldError";
}

/** Field numbers with bit 11 set are non-critical: safe for an old decoder to ignore. */
const NON_CRITICAL_BIT = 1 << 10;
/** Deeper nesting than any real tx; bounds recursion on hostile input. */
const MAX_DEPTH = 64;
const ANY = ".google.protobuf.Any";
const ANY_SCHEMA: MessageSchema = { 1: "bytes", 2: "bytes" };
const utf8 = new TextDecoder("utf-8", { fatal: true });

const allowedWireTypes: Readonly<Record<string, readonly number[]>> = {
  varint: [0],
  "varint[]": [0, 2],
  fixed64: [1],
  "fixed64[]": [1, 2],
  fixed32: [5],
  "fixed32[]": [5, 2],
  bytes: [2],
};

class Cursor {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  /** A varint of at most 10 bytes, as a bigint (field values may use all 64 bits). */
  varint(): bigint {
    let result = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw new UnknownFieldError("truncated varint");
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << BigInt(7 * i);
      if ((b & 0x80) === 0) {
        if (i === 9 && b > 1) throw new UnknownFieldError("varint overflows 64 bits");
        return result;
      }
    }
    throw new UnknownFieldError("varint longer than 10 bytes");
  }

  take(n: number): Uint8Array {
    if (n > this.buf.length - this.pos) throw new UnknownFieldError("length runs past the end of the message");
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

interface Field {
  readonly number: number;
  readonly wireType: number;
  /** The value's bytes (for wire type 2 without the length prefix). */
  readonly value: Uint8Array;
}

function readTag(c: Cursor): { number: number; wireType: number } {
  const tag = c.varint();
  const number = Number(tag >> 3n);
  const wireType = Number(tag & 7n);
  if (number < 1 || number > 536_870_911) throw new UnknownFieldError(`invalid field number ${tag >> 3n}`);
  return { number, wireType };
}

function readField(c: Cursor, depth: number): Field {
  const { number, wireType } = readTag(c);
  const start = c.pos;
  switch (wireType) {
    case 0:
      c.varint();
      break;
    case 1:
      c.take(8);
      break;
    case 2: {
      const len = c.varint();
      if (len > BigInt(c.buf.length)) throw new UnknownFieldError("length runs past the end of the message");
      return { number, wireType, value: c.take(Number(len)) };
    }
    case 3:
      skipGroup(c, number, depth + 1);
      break;
    case 5:
      c.take(4);
      break;
    default:
      throw new UnknownFieldError(`field ${number}: invalid wire type ${wireType}`);
  }
  return { number, wireType, value: c.buf.subarray(start, c.pos) };
}

/** Consumes a (deprecated) group up to its matching end tag, as protowire.ConsumeFieldValue does. */
function skipGroup(c: Cursor, number: number, depth: number): void {
  if (depth > MAX_DEPTH) throw new UnknownFieldError("message nested too deeply");
  for (;;) {
    if (c.done) throw new UnknownFieldError(`field ${number}: unterminated group`);
    const save = c.pos;
    const t = readTag(c);
    if (t.wireType === 4) {
      if (t.number !== number) throw new UnknownFieldError(`field ${number}: mismatched end group`);
      return;
    }
    c.pos = save;
    readField(c, depth);
  }
}

/**
 * Throws UnknownFieldError naming the first unknown (critical, or any when `allowNonCritical` is
 * false) or mistyped field. Returns whether a non-critical unknown field was seen.
 */
export function rejectUnknownFields(
  bytes: Uint8Array,
  schema: MessageSchema,
  typeName: string,
  allowNonCritical: boolean,
  resolver: SchemaResolver,
  depth = 0,
): boolean {
  if (depth > MAX_DEPTH) throw new UnknownFieldError("message nested too deeply");
  let sawNonCritical = false;
  const c = new Cursor(bytes);
  while (!c.done) {
    const f = readField(c, depth);
    if (f.wireType === 4) throw new UnknownFieldError(`${typeName}: unexpected end group`);
    const kind = schema[f.number];
    if (kind === undefined) {
      const critical = (f.number & NON_CRITICAL_BIT) === 0;
      if (!critical) sawNonCritical = true;
      if (critical || !allowNonCritical) {
        throw new UnknownFieldError(`unknown field ${f.number} (wire type ${f.wireType}) in ${typeName}`);
      }
      continue;
    }
    if (!kind.startsWith(".")) {
      if (!allowedWireTypes[kind]?.includes(f.wireType)) {
        throw new UnknownFieldError(`${typeName} field ${f.number}: wire type ${f.wireType} does not fit ${kind}`);
      }
      continue;
    }
    if (f.wireType !== 2) throw new UnknownFieldError(`${typeName} field ${f.number}: message needs wire type 2`);
    const name = kind.slice(1);
    if (kind === ANY) {
      sawNonCritical =
        rejectUnknownFields(f.value, ANY_SCHEMA, name, allowNonCritical, resolver, depth + 1) || sawNonCritical;
      const any = readAny(f.value);
      const inner = resolver.any(any.typeUrl, `${typeName}.${f.number}`);
      if (inner === undefined) throw new UnknownFieldError(`unable to resolve type URL ${any.typeUrl}`);
      if (inner === "opaque") continue;
      sawNonCritical =
        rejectUnknownFields(any.value, inner, any.typeUrl, allowNonCritical, resolver, depth + 1) || sawNonCritical;
      continue;
    }
    const nested = resolver.message(name);
    if (!nested) throw new UnknownFieldError(`no schema for ${name}`);
    sawNonCritical =
      rejectUnknownFields(f.value, nested, name, allowNonCritical, resolver, depth + 1) || sawNonCritical;
  }
  return sawNonCritical;
}

/** type_url and value of an already checked Any (last occurrence wins, as in protobuf). */
function readAny(bytes: Uint8Array): { typeUrl: string; value: Uint8Array } {
  let typeUrl = "";
  let value: Uint8Array = new Uint8Array();
  const c = new Cursor(bytes);
  while (!c.done) {
    const f = readField(c, 0);
    if (f.number === 1) {
      try {
        typeUrl = utf8.decode(f.value);
      } catch {
        throw new UnknownFieldError("Any.type_url is not valid UTF-8");
      }
    } else if (f.number === 2) value = f.value;
  }
  return { typeUrl, value };
}
