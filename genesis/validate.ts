/**
 * @module `dsdnd genesis validate`: every problem of a genesis.json, in words, each with its JSON path and what to
 * do (all of them, not the first). Module sections are judged by each module's own validateGenesis, so a module
 * added to the app is covered without a change here; then the whole file is dry-run through InitChain.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ValidatorUpdate } from "cosmjs-types/tendermint/abci/types";
import { buildModules, createApp } from "../app/buildApp.js";
import { ChainStore } from "../chain-app/store/index.js";
import { isValidAddress } from "../common/secp256k1.js";
import { ModuleAccount, moduleAddress } from "../modules/auth/moduleAccounts.js";
import { Committee, CommitteeStatus } from "../proto/gen/dsdn/committee/v1/committee.js";
import { validatorAddress } from "./builder.js";
import { foundationRecordProblems } from "./foundation.js";
import { identityFieldProblems, isLocalChainId } from "./identity.js";

export interface GenesisProblem {
  /** JSON path into genesis.json, e.g. `app_state.stake.validators[0].tokens`. */
  readonly path: string;
  readonly problem: string;
  /** What the operator should do about it. */
  readonly fix: string;
}

type Json = Record<string, any>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const INT = /^(0|[1-9][0-9]{0,76})$/;
const bigOr = (v: unknown, d: bigint) => (typeof v === "string" && INT.test(v) ? BigInt(v) : d);

/** All problems of a parsed genesis.json; empty when the chain can start from it. */
export function checkGenesis(doc: unknown): GenesisProblem[] {
  const out: GenesisProblem[] = [];
  const add = (path: string, problem: string, fix: string) => out.push({ path, problem, fix });
  if (!isObject(doc)) {
    add("$", "the file is not a JSON object", "start from `dsdnd init` or `dsdnd genesis build-mainnet`");
    return out;
  }
  const chainId = typeof doc.chain_id === "string" ? doc.chain_id : "";
  const local = isLocalChainId(chainId);
  checkShape(doc, chainId, add);
  const appState: Json = isObject(doc.app_state) ? doc.app_state : {};
  const moduleErrors = checkModules(appState, add);
  const stake: Json = isObject(appState.stake) ? appState.stake : {};
  const stakeValidators: Json[] = Array.isArray(stake.validators) ? stake.validators.filter(isObject) : [];
  checkBalances(doc, appState, stake, add);
  checkValidators(doc, stake, stakeValidators, local, add);
  checkCommittee(appState, stakeValidators, add);
  checkFoundation(doc, appState, local, add);
  checkIdentities(doc, stakeValidators, local, add);
  // A dry run of InitChain catches what only the modules together know (module-account balances and the like).
  if (out.length === 0 && moduleErrors === 0) dryRunInitChain(doc, chainId, add);
  return out;
}

type Add = (path: string, problem: string, fix: string) => void;

function checkShape(doc: Json, chainId: string, add: Add): void {
  if (typeof doc.chain_id !== "string" || chainId.length === 0 || chainId.length > 50)
    add("chain_id", "must be a string of 1..50 characters (CometBFT's limit)", 'set it, e.g. "nusantara-1"');
  else if (!/^[a-z][a-z0-9-]*-[1-9][0-9]*$/.test(chainId))
    add(
      "chain_id",
      `"${chainId}" is not of the form <name>-<revision> in lower case (e.g. nusantara-1)`,
      "use a lower-case name and a revision number: IBC and wallets read the revision from it",
    );
  if (typeof doc.genesis_time !== "string" || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(doc.genesis_time))
    add("genesis_time", "must be an RFC 3339 UTC time like 2027-01-01T00:00:00Z", "set the agreed launch time");
  else if (Number.isNaN(Date.parse(doc.genesis_time))) add("genesis_time", "is not a real date", "fix the date");
  if (
    doc.initial_height !== undefined &&
    (typeof doc.initial_height !== "string" || !/^[1-9][0-9]*$/.test(doc.initial_height))
  )
    add("initial_height", 'must be a positive integer string (normally "1")', 'set "initial_height": "1"');
  const cp = doc.consensus_params;
  if (!isObject(cp)) add("consensus_params", "missing", "copy consensus_params from `dsdnd genesis build-mainnet`");
  else {
    const types = cp.validator?.pub_key_types;
    if (!Array.isArray(types) || !types.includes("ed25519"))
      add("consensus_params.validator.pub_key_types", 'must include "ed25519"', 'set it to ["ed25519"]');
    const maxBytes = bigOr(cp.block?.max_bytes, -1n);
    if (maxBytes <= 0n || maxBytes > 104_857_600n)
      add("consensus_params.block.max_bytes", "must be 1..104857600", "use the built value (22020096)");
  }
  if (!Array.isArray(doc.validators))
    add("validators", "must be a list (CometBFT's genesis validators)", "run `dsdnd genesis add-validator`");
  if (!isObject(doc.app_state)) add("app_state", "missing or not an object", "start from a built genesis");
}

/** Each module judges its own section; an error names the field (e.g. `stake.params.maxEntries: ...`). */
function checkModules(appState: Json, add: Add): number {
  const { modules } = buildModules();
  const known = new Set(modules.map((m) => m.name));
  let errors = 0;
  for (const k of Object.keys(appState))
    if (!known.has(k)) {
      errors++;
      add(`app_state.${k}`, "is not a module of this chain", `remove it (modules: ${[...known].join(", ")})`);
    }
  for (const m of modules) {
    if (!m.validateGenesis) continue;
    try {
      m.validateGenesis(appState[m.name] ?? m.defaultGenesis?.());
    } catch (e) {
      errors++;
      const msg = (e as Error).message;
      const named = /^([A-Za-z][\w.[\]]*): (.*)$/s.exec(msg);
      const field = named && named[1]!.startsWith(m.name) ? named[1]! : m.name;
      add(
        `app_state.${field}`,
        named && named[1]!.startsWith(m.name) ? named[2]! : msg,
        `correct it; the ${m.name} module's defaults and ranges are in its README (modules/${m.name}/README.md) and in \`dsdnd genesis build-mainnet\` output`,
      );
    }
  }
  return errors;
}

function sumDenom(coins: unknown, denom: string): bigint {
  if (!Array.isArray(coins)) return 0n;
  return coins.reduce((s: bigint, c: Json) => (c?.denom === denom ? s + bigOr(c.amount, 0n) : s), 0n);
}

function checkBalances(doc: Json, appState: Json, stake: Json, add: Add): void {
  const balances: Json[] = Array.isArray(appState.bank?.balances) ? appState.bank.balances.filter(isObject) : [];
  const seen = new Map<string, number>();
  for (const [i, b] of balances.entries()) {
    const a = String(b.address ?? "").toLowerCase();
    if (seen.has(a))
      add(
        `app_state.bank.balances[${i}].address`,
        `duplicate of balances[${seen.get(a)}] (${b.address})`,
        "merge the two entries into one",
      );
    else seen.set(a, i);
  }
  const denom: string = stake.params?.bondDenom ?? "unusa";
  const held = (addr: string) => sumDenom(balances.find((b) => b.address === addr)?.coins, denom);
  const tokens = (Array.isArray(stake.validators) ? stake.validators : []).reduce(
    (s: bigint, v: Json) => s + bigOr(v?.tokens, 0n),
    0n,
  );
  const nodeBonds = (Array.isArray(stake.nodeStakes) ? stake.nodeStakes : []).reduce(
    (s: bigint, n: Json) => s + bigOr(n?.amount, 0n),
    0n,
  );
  const bonded = moduleAddress(ModuleAccount.BondedPool);
  if (held(bonded) !== tokens + nodeBonds)
    add(
      `app_state.bank.balances[address=${bonded}]`,
      `the bonded pool holds ${held(bonded)}${denom} but validator and node bonds total ${tokens + nodeBonds}${denom}`,
      "bond validators with `dsdnd genesis add-validator` (it moves the self-bond into the pool) instead of editing either side",
    );
  // The declared supply: what the launch announced; every balance (module accounts included) must add up to it.
  const declared = doc.dsdn?.total_supply;
  if (declared !== undefined) {
    if (!Array.isArray(declared))
      add("dsdn.total_supply", "must be a list of {denom, amount}", "list the announced supply per denom");
    else
      for (const [i, c] of declared.entries()) {
        const want = bigOr(c?.amount, -1n);
        if (want < 0n) {
          add(`dsdn.total_supply[${i}].amount`, "must be a decimal integer string", "write the amount in base units");
          continue;
        }
        const got = balances.reduce((s, b) => s + sumDenom(b.coins, String(c.denom)), 0n);
        if (got !== want)
          add(
            `dsdn.total_supply[${i}]`,
            `declares ${want}${c.denom} but the genesis balances add up to ${got}${c.denom} (difference ${got - want})`,
            "fix the allocations (dsdnd genesis add-account) or the declared supply so they agree",
          );
      }
  }
}

function checkValidators(doc: Json, stake: Json, stakeValidators: Json[], local: boolean, add: Add): void {
  const list: Json[] = Array.isArray(doc.validators) ? doc.validators : [];
  if (!local && list.length === 0)
    add(
      "validators",
      "no genesis validator",
      "each genesis operator runs `dsdnd genesis add-validator` (docs/MAINNET.md)",
    );
  const reduction = bigOr(stake.params?.powerReduction, 1_000_000n) || 1n;
  const bonds = new Map(stakeValidators.map((v) => [String(v.consensusPubkey), v]));
  const seenKey = new Map<string, number>();
  const seenName = new Map<string, number>();
  for (const [i, v] of list.entries()) {
    const p = `validators[${i}]`;
    const key = String(v?.pub_key?.value ?? "");
    if (v?.pub_key?.type !== "tendermint/PubKeyEd25519" || Buffer.from(key, "base64").length !== 32) {
      add(
        `${p}.pub_key`,
        "must be a tendermint/PubKeyEd25519 of 32 bytes",
        "copy it from the node's priv_validator_key.json",
      );
      continue;
    }
    if (seenKey.has(key))
      add(
        `${p}.pub_key`,
        `same consensus key as validators[${seenKey.get(key)}]`,
        "each validator needs its own key; remove one",
      );
    else seenKey.set(key, i);
    const name = String(v.name ?? "");
    if (name && seenName.has(name))
      add(`${p}.name`, `same name as validators[${seenName.get(name)}]`, "give each validator its own moniker");
    else seenName.set(name, i);
    if (v.address !== undefined && String(v.address) !== validatorAddress(key))
      add(
        `${p}.address`,
        `is ${v.address} but the key's address is ${validatorAddress(key)}`,
        "set it from the key (or remove it)",
      );
    const bond = bonds.get(key);
    if (!bond) {
      add(
        p,
        `validator ${name || key} has no bond in app_state.stake.validators: the chain would refuse to start`,
        "bond it with `dsdnd genesis add-validator <operator>` on that node's home instead of editing validators by hand",
      );
      continue;
    }
    const want = bigOr(bond.tokens, 0n) / reduction;
    if (String(v.power) !== want.toString())
      add(`${p}.power`, `is ${v.power} but its bond of ${bond.tokens} gives power ${want}`, `set it to "${want}"`);
  }
  if (list.length > 0)
    for (const [j, s] of stakeValidators.entries())
      if (!seenKey.has(String(s.consensusPubkey)))
        add(
          `app_state.stake.validators[${j}]`,
          `bonded validator ${s.moniker ?? s.operator} is missing from genesis validators`,
          "add it to validators (dsdnd genesis add-validator does both) or remove its bond",
        );
}

function checkCommittee(appState: Json, stakeValidators: Json[], add: Add): void {
  const committees = appState.committee?.committees;
  if (!Array.isArray(committees)) return;
  const operators = new Set(stakeValidators.map((v) => String(v.operator)));
  const candidates = new Map<string, string>(
    (Array.isArray(appState.committee?.candidates) ? appState.committee.candidates : []).map((c: Json) => [
      String(c?.operator),
      String(c?.identityKey ?? ""),
    ]),
  );
  for (const [i, raw] of committees.entries()) {
    const p = `app_state.committee.committees[${i}]`;
    let c: Committee;
    try {
      c = Committee.fromJSON(raw);
    } catch (e) {
      add(p, `does not parse: ${(e as Error).message}`, "export it again from the DKG ceremony");
      continue;
    }
    const n = c.members.length;
    if (n === 0) add(`${p}.members`, "is empty", "list the committee the DKG ran with");
    if (c.threshold < 1 || c.threshold > n)
      add(
        `${p}.threshold`,
        `${c.threshold} is outside 1..${n} (the member count)`,
        "use the threshold the DKG ran with",
      );
    const ops = new Set<string>();
    const idKeys = new Set<string>();
    for (const [j, m] of c.members.entries()) {
      const mp = `${p}.members[${j}]`;
      if (!operators.has(m.operator))
        add(
          `${mp}.operator`,
          `${m.operator} is not a bonded genesis validator`,
          "only bonded validators sit on a committee: bond it or drop it and re-run the DKG",
        );
      if (ops.has(m.operator))
        add(`${mp}.operator`, `${m.operator} sits twice`, "each operator holds one seat; re-run the DKG");
      ops.add(m.operator);
      const id = Buffer.from(m.identityKey).toString("base64");
      if (m.identityKey.length !== 32) add(`${mp}.identityKey`, "must be 32 bytes", "copy the member's identity key");
      else if (idKeys.has(id))
        add(`${mp}.identityKey`, "same identity key as another member", "each member has its own key");
      idKeys.add(id);
      const registered = candidates.get(m.operator);
      if (registered !== undefined && registered !== id)
        add(
          `${mp}.identityKey`,
          "differs from the candidate's registered identity key",
          "use the key the candidate registered",
        );
    }
    if (c.status !== CommitteeStatus.COMMITTEE_STATUS_ACTIVE) continue;
    // The DKG result: one verifying share per member, t commitments, commitments[0] = the group key.
    if (c.groupPublicKey.length !== 32)
      add(
        `${p}.groupPublicKey`,
        "an ACTIVE committee needs its 32-byte DKG group key",
        "copy the DKG result's group_public_key",
      );
    if (c.verifyingShares.length !== n || c.verifyingShares.some((s) => s.length !== 32))
      add(
        `${p}.verifyingShares`,
        `has ${c.verifyingShares.length} shares for ${n} members (each 32 bytes)`,
        "copy the DKG result of exactly these members, in participant order",
      );
    if (c.commitments.length !== c.threshold)
      add(
        `${p}.commitments`,
        `has ${c.commitments.length} commitments, the threshold is ${c.threshold}`,
        "copy the DKG result's commitments",
      );
    else if (c.commitments[0] && Buffer.compare(Buffer.from(c.commitments[0]), Buffer.from(c.groupPublicKey)) !== 0)
      add(
        `${p}.commitments[0]`,
        "is not the group key (the DKG result is not of this committee)",
        "copy the matching DKG result",
      );
  }
}

function checkFoundation(doc: Json, appState: Json, local: boolean, add: Add): void {
  const address = String(appState.gov?.params?.foundation ?? "");
  const record = doc.dsdn?.foundation;
  if (record === undefined) {
    if (!local)
      add(
        "dsdn.foundation",
        "no foundation multisig: in bootstrap mode nothing governance passes could execute",
        "run `dsdnd genesis set-foundation --threshold T --pubkey FILE ...` with the co-signers' public keys",
      );
    return;
  }
  for (const p of foundationRecordProblems(record))
    add(p.path, p.problem, "rebuild it with `dsdnd genesis set-foundation` from the co-signers' public keys");
  if (record?.address && address !== record.address)
    add(
      "app_state.gov.params.foundation",
      `is "${address}" but the foundation multisig is ${record.address}`,
      "run `dsdnd genesis set-foundation` (it sets both)",
    );
  else if (address && !isValidAddress(address))
    add("app_state.gov.params.foundation", "invalid address", "set-foundation");
}

function checkIdentities(doc: Json, stakeValidators: Json[], local: boolean, add: Add): void {
  const records: unknown = doc.dsdn?.validator_identities;
  if (records !== undefined && !Array.isArray(records)) {
    add(
      "dsdn.validator_identities",
      "must be a list",
      "add records with `dsdnd genesis add-validator --operator-name …`",
    );
    return;
  }
  const byAddr = new Map<string, number>();
  for (const [i, r] of ((records as Json[]) ?? []).entries()) {
    const p = `dsdn.validator_identities[${i}]`;
    const a = String(r?.validator_address ?? "");
    if (byAddr.has(a)) add(`${p}.validator_address`, `second record for ${a}`, "keep one record per validator");
    byAddr.set(a, i);
    for (const f of identityFieldProblems(r ?? {}))
      add(`${p}.${f.field}`, f.problem, "re-run add-validator with --operator-name, --contact and --evidence FILE");
  }
  const genesisAddrs = new Set<string>();
  for (const [j, v] of stakeValidators.entries()) {
    const a =
      Buffer.from(String(v.consensusPubkey ?? ""), "base64").length === 32
        ? validatorAddress(String(v.consensusPubkey))
        : "";
    genesisAddrs.add(a);
    if (!local && !byAddr.has(a))
      add(
        `app_state.stake.validators[${j}]`,
        `validator ${v.moniker ?? v.operator} (${a}) has no identity record (operator name, contact, evidence hash)`,
        "its operator re-runs `dsdnd genesis add-validator` with --operator-name, --contact and --evidence FILE",
      );
  }
  for (const [a, i] of byAddr)
    if (!genesisAddrs.has(a))
      add(`dsdn.validator_identities[${i}].validator_address`, `${a} is not a genesis validator`, "remove the record");
}

function dryRunInitChain(doc: Json, chainId: string, add: Add): void {
  const dir = mkdtempSync(join(tmpdir(), "dsdn-genesis-check-"));
  const store = ChainStore.open(join(dir, "app.sqlite"));
  try {
    const app = createApp(store, { log: () => {} });
    const validators: ValidatorUpdate[] = (doc.validators as Json[]).map((v) => ({
      pubKey: { ed25519: new Uint8Array(Buffer.from(String(v.pub_key.value), "base64")) },
      power: BigInt(v.power),
    })) as ValidatorUpdate[];
    app.initChain({
      chainId,
      initialHeight: BigInt(doc.initial_height ?? "1"),
      appStateBytes: new TextEncoder().encode(JSON.stringify(doc.app_state)),
      validators,
      time: { seconds: BigInt(Math.floor(Date.parse(doc.genesis_time) / 1000)), nanos: 0 },
    } as never);
  } catch (e) {
    add("app_state", `InitChain refuses it: ${(e as Error).message}`, "fix what the message names");
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The report `dsdnd genesis validate` prints. */
export function formatProblems(problems: readonly GenesisProblem[]): string {
  if (problems.length === 0) return "genesis is valid";
  return [
    `${problems.length} problem${problems.length === 1 ? "" : "s"}:`,
    ...problems.map((p, i) => `${i + 1}. ${p.path}: ${p.problem}\n   fix: ${p.fix}`),
  ].join("\n");
}
