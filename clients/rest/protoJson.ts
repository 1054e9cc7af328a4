/**
 * @module Protobuf messages as the Cosmos SDK's gRPC-gateway prints them (jsonpb with OrigName and
 * EmitDefaults): proto field names in snake_case, 64-bit integers as strings, bytes as base64, enums by
 * name, and `Any` as `{"@type": url, ...fields}`. Built on the generated `toJSON` (camelCase) of
 * cosmjs-types and ts-proto, whose keys are turned back into the proto names.
 */
import type { GeneratedType } from "@cosmjs/proto-signing";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { MsgMultiSendResponse, MsgSendResponse } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { PubKey as Ed25519PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import { PubKey as Secp256k1PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { TextProposal } from "cosmjs-types/cosmos/gov/v1beta1/gov";
import { ParameterChangeProposal } from "cosmjs-types/cosmos/params/v1beta1/params";
import { Tx } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import * as committeeTx from "../../proto/gen/dsdn/committee/v1/tx.js";
import * as govMsgs from "../../proto/gen/dsdn/gov/v1/gov.js";
import * as nodesTx from "../../proto/gen/dsdn/nodes/v1/tx.js";
import * as receiptsTx from "../../proto/gen/dsdn/receipts/v1/tx.js";
import * as slashingTx from "../../proto/gen/dsdn/slashing/v1/tx.js";
import * as stakeTx from "../../proto/gen/dsdn/stake/v1/tx.js";
import { dsdnRegistry } from "../sdk/registry.js";

interface JsonType {
  decode(bytes: Uint8Array): unknown;
  toJSON(message: unknown): unknown;
}

/** Msg…Response types (TxMsgData / SimulateResponse msg_responses), which the signing registry lacks. */
function dsdnResponseTypes(module: string, exports: Record<string, unknown>): [string, unknown][] {
  return Object.entries(exports)
    .filter(([name]) => /^Msg\w+Response$/.test(name))
    .map(([name, t]) => [`/dsdn.${module}.v1.${name}`, t]);
}

const extraTypes: ReadonlyArray<[string, unknown]> = [
  ["/cosmos.auth.v1beta1.BaseAccount", BaseAccount],
  ["/cosmos.bank.v1beta1.MsgSendResponse", MsgSendResponse],
  ["/cosmos.bank.v1beta1.MsgMultiSendResponse", MsgMultiSendResponse],
  ...dsdnResponseTypes("committee", committeeTx),
  ...dsdnResponseTypes("gov", govMsgs),
  ["/cosmos.gov.v1beta1.TextProposal", TextProposal],
  ["/cosmos.params.v1beta1.ParameterChangeProposal", ParameterChangeProposal],
  ...dsdnResponseTypes("nodes", nodesTx),
  ...dsdnResponseTypes("receipts", receiptsTx),
  ...dsdnResponseTypes("slashing", slashingTx),
  ...dsdnResponseTypes("stake", stakeTx),
  ["/cosmos.crypto.secp256k1.PubKey", Secp256k1PubKey],
  ["/cosmos.crypto.ed25519.PubKey", Ed25519PubKey],
  ["/cosmos.tx.v1beta1.Tx", Tx],
];

let registry: ReturnType<typeof dsdnRegistry> | undefined;

function lookup(typeUrl: string): JsonType | undefined {
  const extra = extraTypes.find(([url]) => url === typeUrl);
  registry ??= dsdnRegistry();
  const t = (extra?.[1] ?? registry.lookupType(typeUrl)) as GeneratedType & Partial<JsonType>;
  return t && typeof t.toJSON === "function" ? (t as unknown as JsonType) : undefined;
}

/** `fooBarBaz` → `foo_bar_baz` (generated JSON names are lowerCamel of the lower_snake proto names). */
export function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** An `Any` (type URL + encoded bytes) in gateway JSON; unknown types keep their bytes as base64 `value`. */
export function anyJson(typeUrl: string, value: Uint8Array): Record<string, unknown> {
  const t = lookup(typeUrl);
  if (!t) return { "@type": typeUrl, value: Buffer.from(value).toString("base64") };
  const fields = gatewayJson(t.toJSON(t.decode(value))) as Record<string, unknown>;
  return { "@type": typeUrl, ...fields };
}

/** Rewrites generated-toJSON output into gateway JSON: snake_case keys, expanded Anys. */
export function gatewayJson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(gatewayJson);
  if (v === null || typeof v !== "object") return v;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 2 && typeof o.typeUrl === "string" && typeof o.value === "string")
    return anyJson(o.typeUrl, Buffer.from(o.value, "base64"));
  const out: Record<string, unknown> = {};
  for (const k of keys) if (o[k] !== undefined) out[snakeCase(k)] = gatewayJson(o[k]);
  return out;
}

/**
 * A DSDN (ts-proto) message in gateway JSON with EmitDefaults: ts-proto's toJSON drops fields at their default,
 * so each field of the decoded message (ts-proto fills every one) missing from it is put back as jsonpb prints
 * it (64-bit "0", false, "", bytes null, repeated []). Only top-level fields: enough for flat query responses.
 */
export function dsdnJson<T extends object>(codec: { toJSON(m: T): unknown }, message: T): Record<string, unknown> {
  const json = codec.toJSON(message) as Record<string, unknown>;
  for (const [k, v] of Object.entries(message)) {
    if (k in json) continue;
    if (typeof v === "bigint") json[k] = "0";
    else if (typeof v === "boolean" || typeof v === "string" || typeof v === "number") json[k] = v;
    else if (v instanceof Uint8Array) json[k] = null;
    else if (Array.isArray(v)) json[k] = [];
  }
  return gatewayJson(json) as Record<string, unknown>;
}

/** A `cosmos.tx.v1beta1.Tx` from its bytes, in gateway JSON; undefined when the bytes do not decode. */
export function txJson(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const json = gatewayJson(Tx.toJSON(Tx.decode(bytes))) as Record<string, unknown>;
    const authInfo = json.auth_info as Record<string, unknown> | undefined;
    // jsonpb emits unset message fields as null (EmitDefaults); toJSON drops them.
    if (authInfo && !("tip" in authInfo)) authInfo.tip = null;
    return json;
  } catch {
    return undefined;
  }
}

/** A 20-byte or 32-byte value CometBFT prints as hex, in gateway JSON (base64). */
export function hexToBase64(hex: unknown): string {
  return typeof hex === "string" && hex.length > 0 ? Buffer.from(hex, "hex").toString("base64") : "";
}

/** gateway pagination for a complete answer: no next page, `total` as a string. */
export function lastPage(total: number | bigint): { next_key: null; total: string } {
  return { next_key: null, total: total.toString() };
}

/** The SDK's LegacyDec string of an integer amount: 18 decimal places. */
export function legacyDec(integer: bigint | string): string {
  return `${BigInt(integer).toString()}.000000000000000000`;
}

/** The SDK's LegacyDec string of a protobuf Dec (the integer scaled by 10^18): "1500000000000000000" → "1.500000000000000000". */
export function scaledDec(scaled: bigint | string): string {
  const n = BigInt(scaled);
  const unit = 10n ** 18n;
  return `${n / unit}.${(n % unit).toString().padStart(18, "0")}`;
}
