/** @module slashing genesis: params, signing infos with missed slots, offence records, used evidence. */
import type { Context } from "../../chain-app/context.js";
import { canonicalJson } from "../../chain-app/encoding.js";
import { fromHex, toHex } from "../../common/hash.js";
import { isValidAddress } from "../../common/secp256k1.js";
import { SigningInfo, SlashingRecord } from "../../proto/gen/dsdn/slashing/v1/slashing.js";
import { addressBytesOf } from "../auth/keeper.js";
import type { SlashingKeeper } from "./keeper.js";
import { defaultSlashingParams, parseSlashingParams } from "./params.js";

export interface SlashingGenesis {
  params: Record<string, string>;
  /** SigningInfo.toJSON plus the window slots the validator missed. */
  signingInfos: { info: unknown; missed: string[] }[];
  /** SlashingRecord.toJSON */
  records: unknown[];
  evidence: { hash: string; height: string }[];
}

export function defaultSlashingGenesis(): SlashingGenesis {
  return { params: JSON.parse(canonicalJson(defaultSlashingParams)), signingInfos: [], records: [], evidence: [] };
}

export function validateSlashingGenesis(raw: unknown): SlashingGenesis {
  const g = { ...defaultSlashingGenesis(), ...((raw ?? {}) as Partial<SlashingGenesis>) } as SlashingGenesis;
  parseSlashingParams(g.params);
  for (const [i, s] of g.signingInfos.entries()) {
    const info = SigningInfo.fromJSON(s.info);
    if (!/^[0-9A-F]{40}$/.test(info.consensusAddress))
      throw new Error(`slashing.signingInfos[${i}].info.consensusAddress: expected 40 upper-case hex characters`);
    for (const m of s.missed ?? [])
      if (!/^(0|[1-9][0-9]*)$/.test(m)) throw new Error(`slashing.signingInfos[${i}].missed: expected integers`);
  }
  for (const [i, r] of g.records.entries()) {
    const rec = SlashingRecord.fromJSON(r);
    if (!isValidAddress(rec.address)) throw new Error(`slashing.records[${i}].address: invalid address`);
  }
  for (const [i, e] of g.evidence.entries())
    if (!/^[0-9a-f]{64}$/.test(e.hash)) throw new Error(`slashing.evidence[${i}].hash: expected sha256 hex`);
  return g;
}

export function initSlashingGenesis(ctx: Context, keeper: SlashingKeeper, raw: unknown): void {
  const g = validateSlashingGenesis(raw);
  keeper.setParams(ctx, parseSlashingParams(g.params));
  for (const s of g.signingInfos) {
    const info = SigningInfo.fromJSON(s.info);
    const cons = fromHex(info.consensusAddress.toLowerCase());
    keeper.setSigningInfo(ctx, cons, info);
    for (const m of s.missed ?? []) keeper.setMissed(ctx, cons, BigInt(m));
  }
  for (const r of g.records) {
    const rec = SlashingRecord.fromJSON(r);
    keeper.setRecord(ctx, addressBytesOf(rec.address), rec);
  }
  for (const e of g.evidence) keeper.setEvidence(ctx, fromHex(e.hash), BigInt(e.height));
}

export function exportSlashingGenesis(ctx: Context, keeper: SlashingKeeper): SlashingGenesis {
  return {
    params: JSON.parse(canonicalJson(keeper.getParams(ctx))),
    signingInfos: [...keeper.signingInfos(ctx)].map(([cons, info]) => ({
      info: SigningInfo.toJSON(info),
      missed: keeper.missedIndices(ctx, cons).map(String),
    })),
    records: [...keeper.records(ctx)].map((r) => SlashingRecord.toJSON(r)),
    evidence: [...keeper.evidence(ctx)].map((e) => ({ hash: toHex(e.hash), height: e.height.toString() })),
  };
}
