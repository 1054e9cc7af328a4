/**
 * @module committee genesis: params, coordinator candidates, committees, current epoch, resolved disputes, the open
 * seed request, the next pool, absence exclusions, selection times and retired committees' term ends.
 */
import type { Context } from "../../chain-app/context.js";
import { canonicalJson } from "../../chain-app/encoding.js";
import { fromHex, toHex } from "../../common/hash.js";
import { isValidAddress, toBech32Address } from "../../common/secp256k1.js";
import { Candidate, Committee, Member, SeedRequest } from "../../proto/gen/dsdn/committee/v1/committee.js";
import { addressBytesOf } from "../auth/keeper.js";
import type { CommitteeKeeper } from "./keeper.js";
import { defaultCommitteeParams, parseCommitteeParams } from "./params.js";

export interface CommitteeGenesis {
  params: Record<string, string>;
  /** Candidate.toJSON */
  candidates: unknown[];
  /** Committee.toJSON */
  committees: unknown[];
  currentEpoch: string;
  disputes: { hash: string; height: string }[];
  /** SeedRequest.toJSON of the open seed request, or null. */
  seedRequest: unknown;
  /** Member.toJSON of the next epoch's snapshotted pool, or null before the first request. */
  nextPool: unknown[] | null;
  exclusions: { operator: string; throughEpoch: string }[];
  /** Block time (seconds) each epoch's committee was selected: the clock of the evidence age limit. */
  selectedAt: { epoch: string; time: string }[];
  /** Block time each retired committee's term ended: the end of its receipts' validity and of its retention. */
  termEnds: { epoch: string; time: string }[];
}

export function defaultCommitteeGenesis(): CommitteeGenesis {
  return {
    params: JSON.parse(canonicalJson(defaultCommitteeParams)),
    candidates: [],
    committees: [],
    currentEpoch: "0",
    disputes: [],
    seedRequest: null,
    nextPool: null,
    exclusions: [],
    selectedAt: [],
    termEnds: [],
  };
}

export function validateCommitteeGenesis(raw: unknown): CommitteeGenesis {
  const g = { ...defaultCommitteeGenesis(), ...((raw ?? {}) as Partial<CommitteeGenesis>) } as CommitteeGenesis;
  parseCommitteeParams(g.params);
  for (const [i, c] of g.candidates.entries()) {
    const cand = Candidate.fromJSON(c);
    if (!isValidAddress(cand.operator)) throw new Error(`committee.candidates[${i}].operator: invalid address`);
    if (cand.identityKey.length !== 32) throw new Error(`committee.candidates[${i}].identityKey: must be 32 bytes`);
  }
  const epochs = new Set<string>();
  for (const [i, c] of g.committees.entries()) {
    const com = Committee.fromJSON(c);
    if (com.epoch === 0n) throw new Error(`committee.committees[${i}].epoch: must be ≥ 1`);
    epochs.add(com.epoch.toString());
  }
  if (!/^(0|[1-9][0-9]*)$/.test(g.currentEpoch)) throw new Error("committee.currentEpoch: expected an integer");
  if (g.currentEpoch !== "0" && !epochs.has(g.currentEpoch))
    throw new Error("committee.currentEpoch: no committee listed for it");
  for (const [i, d] of g.disputes.entries())
    if (!/^[0-9a-f]{64}$/.test(d.hash)) throw new Error(`committee.disputes[${i}].hash: expected sha256 hex`);
  if (g.seedRequest !== null) {
    const r = SeedRequest.fromJSON(g.seedRequest);
    if (r.producers.length === 0) throw new Error("committee.seedRequest.producers: must not be empty");
  }
  for (const [i, x] of g.exclusions.entries()) {
    if (!isValidAddress(x.operator)) throw new Error(`committee.exclusions[${i}].operator: invalid address`);
    if (!/^(0|[1-9][0-9]*)$/.test(x.throughEpoch)) throw new Error(`committee.exclusions[${i}].throughEpoch: integer`);
  }
  for (const [i, t] of g.selectedAt.entries())
    if (!/^(0|[1-9][0-9]{0,19})$/.test(String(t.epoch)) || !/^(0|[1-9][0-9]{0,19})$/.test(String(t.time)))
      throw new Error(`committee.selectedAt[${i}]: expected integer epoch and time`);
  for (const [i, t] of g.termEnds.entries()) {
    if (!/^(0|[1-9][0-9]{0,19})$/.test(String(t.epoch)) || !/^(0|[1-9][0-9]{0,19})$/.test(String(t.time)))
      throw new Error(`committee.termEnds[${i}]: expected integer epoch and time`);
    if (!epochs.has(String(t.epoch))) throw new Error(`committee.termEnds[${i}]: no committee listed for its epoch`);
  }
  return g;
}

export function initCommitteeGenesis(ctx: Context, keeper: CommitteeKeeper, raw: unknown): void {
  const g = validateCommitteeGenesis(raw);
  keeper.setParams(ctx, parseCommitteeParams(g.params));
  // Before the committees, so importing them keeps their recorded selection times.
  for (const t of g.selectedAt) keeper.setSelectedAt(ctx, BigInt(t.epoch), BigInt(t.time));
  for (const c of g.candidates) {
    const cand = Candidate.fromJSON(c);
    keeper.setCandidate(ctx, addressBytesOf(cand.operator), cand);
  }
  for (const c of g.committees) keeper.setCommittee(ctx, Committee.fromJSON(c));
  for (const t of g.termEnds) keeper.setTermEnd(ctx, BigInt(t.epoch), BigInt(t.time));
  if (g.currentEpoch !== "0") keeper.setCurrentEpoch(ctx, BigInt(g.currentEpoch));
  for (const d of g.disputes) keeper.setDispute(ctx, fromHex(d.hash), BigInt(d.height));
  if (g.seedRequest !== null) keeper.setSeedRequest(ctx, SeedRequest.fromJSON(g.seedRequest));
  if (g.nextPool !== null)
    keeper.setNextPool(
      ctx,
      g.nextPool.map((m) => Member.fromJSON(m)),
    );
  for (const x of g.exclusions) keeper.setExcludedThrough(ctx, addressBytesOf(x.operator), BigInt(x.throughEpoch));
}

export function exportCommitteeGenesis(ctx: Context, keeper: CommitteeKeeper): CommitteeGenesis {
  return {
    params: JSON.parse(canonicalJson(keeper.getParams(ctx))),
    candidates: [...keeper.candidates(ctx)].map((c) => Candidate.toJSON(c)),
    committees: [...keeper.committees(ctx)].map((c) => Committee.toJSON(c)),
    currentEpoch: keeper.currentEpoch(ctx).toString(),
    disputes: [...keeper.disputes(ctx)].map((d) => ({ hash: toHex(d.hash), height: d.height.toString() })),
    seedRequest: ((r) => (r ? SeedRequest.toJSON(r) : null))(keeper.getSeedRequest(ctx)),
    nextPool: keeper.getNextPool(ctx)?.map((m) => Member.toJSON(m)) ?? null,
    exclusions: [...keeper.exclusions(ctx)].map((x) => ({
      operator: toBech32Address(x.operator),
      throughEpoch: x.through.toString(),
    })),
    selectedAt: [...keeper.selectionTimes(ctx)].map((t) => ({ epoch: t.epoch.toString(), time: t.time.toString() })),
    termEnds: [...keeper.termEnds(ctx)].map((t) => ({ epoch: t.epoch.toString(), time: t.time.toString() })),
  };
}
