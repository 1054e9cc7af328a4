/**
 * @module `dsdnd genesis add-account|add-validator|set-foundation|build-mainnet|validate`: edit, build and check
 * this home's genesis before the chain starts.
 */

import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { validateAppState } from "../../../app/buildApp.js";
import { parseCoinsString, toWireCoins } from "../../../chain-app/coins.js";
import type { Command, CommandGroup } from "../../../common/cli.js";
import { InvalidArgumentError } from "../../../common/errors.js";
import { isValidAddress } from "../../../common/secp256k1.js";
import { validatorAddress } from "../../../genesis/builder.js";
import { foundationRecord } from "../../../genesis/foundation.js";
import { identityFieldProblems, isLocalChainId, type ValidatorIdentity } from "../../../genesis/identity.js";
import { buildMainnetGenesis } from "../../../genesis/mainnet.js";
import { checkGenesis, formatProblems } from "../../../genesis/validate.js";
import { ModuleAccount, moduleAddress } from "../../../modules/auth/moduleAccounts.js";
import { genesisPath, homeOption, keyringFrom, keyringOptions } from "../home.js";

const addAccount: Command = {
  summary: "add a funded account (address or keyring name) to genesis",
  usage: "<address|key-name> <coins, e.g. 1000000000unusa> [--home DIR]",
  options: { ...homeOption, ...keyringOptions },
  run({ positionals, values, out }) {
    const [who, coinsText] = positionals;
    if (!who || !coinsText)
      throw new InvalidArgumentError("usage: dsdnd genesis add-account <address|key-name> <coins>");
    const address = isValidAddress(who) ? who : keyringFrom(values).show(who).address;
    const coins = toWireCoins(parseCoinsString(coinsText));
    const path = genesisPath(String(values.home));
    const genesis = JSON.parse(readFileSync(path, "utf8")) as { app_state: Record<string, any> };
    const bank = genesis.app_state.bank;
    if (bank.balances.some((b: { address: string }) => b.address === address))
      throw new InvalidArgumentError(`${address} already has a genesis balance`);
    bank.balances.push({ address, coins });
    validateAppState(genesis.app_state);
    writeFileSync(path, JSON.stringify(genesis, null, 2));
    out(`added ${address} with ${coinsText} to ${path}`);
    return 0;
  },
};

/**
 * The gentx step: bonds this home's consensus key (config/priv_validator_key.json) as a stake validator
 * operated by `operator`, moving the self-bond from the operator's genesis balance into the bonded pool,
 * and lists the same key and power in genesis.json's validators (InitChain requires both to agree).
 */
const addValidator: Command = {
  summary: "bond this node's consensus key as a genesis validator for an operator (funded by add-account)",
  usage:
    "<address|key-name> [--self-bond 1000000000unusa] [--moniker NAME] [--operator-name NAME --contact C --evidence FILE] [--home DIR]",
  options: {
    ...homeOption,
    ...keyringOptions,
    "self-bond": { type: "string" },
    moniker: { type: "string" },
    "operator-name": { type: "string" },
    contact: { type: "string" },
    evidence: { type: "string" },
  },
  run({ positionals, values, out }) {
    const [who] = positionals;
    if (!who)
      throw new InvalidArgumentError("usage: dsdnd genesis add-validator <address|key-name> [--self-bond COINS]");
    const operator = isValidAddress(who) ? who.toLowerCase() : keyringFrom(values).show(who).address;
    const home = String(values.home);
    const path = genesisPath(home);
    const genesis = JSON.parse(readFileSync(path, "utf8")) as {
      chain_id: string;
      app_state: Record<string, any>;
      validators: any[];
      dsdn?: Record<string, any>;
    };
    const identity = identityFrom(values);
    const stake = genesis.app_state.stake;
    const denom: string = stake.params?.bondDenom ?? "unusa";
    const reduction = BigInt(stake.params?.powerReduction ?? "1000000");
    const bond = parseCoinsString(
      String(values["self-bond"] ?? `${BigInt(stake.params?.minValidatorSelfBond ?? "1000000000")}${denom}`),
    );
    if (bond.length !== 1 || bond[0]!.denom !== denom)
      throw new InvalidArgumentError(`--self-bond must be an amount of ${denom}`);
    const amount = bond[0]!.amount;
    const power = amount / reduction;
    if (power <= 0n)
      throw new InvalidArgumentError(`--self-bond must be at least ${reduction}${denom} (one unit of power)`);
    const pv = JSON.parse(readFileSync(join(home, "config", "priv_validator_key.json"), "utf8")) as {
      pub_key: { value: string };
    };
    if (
      (stake.validators ?? []).some(
        (v: { operator: string; consensusPubkey: string }) =>
          v.operator === operator || v.consensusPubkey === pv.pub_key.value,
      )
    )
      throw new InvalidArgumentError(`a genesis validator already uses ${operator} or this node's consensus key`);
    const bank = genesis.app_state.bank;
    const entry = bank.balances.find((b: { address: string }) => b.address === operator);
    const have = BigInt(entry?.coins.find((c: { denom: string }) => c.denom === denom)?.amount ?? "0");
    if (have < amount)
      throw new InvalidArgumentError(
        `${operator} has ${have}${denom} in genesis, the self-bond needs ${amount}${denom}: add-account first`,
      );
    entry.coins = entry.coins
      .map((c: { denom: string; amount: string }) =>
        c.denom === denom ? { denom, amount: (have - amount).toString() } : c,
      )
      .filter((c: { amount: string }) => c.amount !== "0");
    const pool = moduleAddress(ModuleAccount.BondedPool);
    const poolEntry = bank.balances.find((b: { address: string }) => b.address === pool);
    if (poolEntry) {
      const c = poolEntry.coins.find((x: { denom: string }) => x.denom === denom);
      if (c) c.amount = (BigInt(c.amount) + amount).toString();
      else poolEntry.coins.push({ denom, amount: amount.toString() });
    } else bank.balances.push({ address: pool, coins: [{ denom, amount: amount.toString() }] });
    const moniker = String(values.moniker ?? "validator");
    stake.validators = [
      ...(stake.validators ?? []),
      { operator, consensusPubkey: pv.pub_key.value, moniker, tokens: amount.toString() },
    ];
    genesis.validators = [
      ...(genesis.validators ?? []),
      {
        address: validatorAddress(pv.pub_key.value),
        pub_key: { type: "tendermint/PubKeyEd25519", value: pv.pub_key.value },
        power: power.toString(),
        name: moniker,
      },
    ];
    if (identity) {
      const record: ValidatorIdentity = { validator_address: validatorAddress(pv.pub_key.value), ...identity };
      genesis.dsdn = { ...genesis.dsdn, validator_identities: [...(genesis.dsdn?.validator_identities ?? []), record] };
    }
    validateAppState(genesis.app_state);
    writeFileSync(path, JSON.stringify(genesis, null, 2));
    out(`bonded ${amount}${denom} (power ${power}) for ${operator} with this node's consensus key in ${path}`);
    if (!identity && !isLocalChainId(genesis.chain_id))
      out(
        "note: no identity record; `genesis validate` requires --operator-name, --contact and --evidence off a dev chain",
      );
    return 0;
  },
};

/**
 * The identity record add-validator writes (`genesis validate` requires one per validator off a development
 * chain). The evidence is a file whose
 * sha256 is recorded (the papers stay with the launch team; anyone holding them can check the hash).
 */
function identityFrom(values: Record<string, unknown>): Omit<ValidatorIdentity, "validator_address"> | undefined {
  const given = ["operator-name", "contact", "evidence"].filter((k) => values[k] !== undefined);
  // Optional here (a private test chain may do without); `genesis validate` requires it off a development chain.
  if (given.length === 0) return undefined;
  if (given.length !== 3) throw new InvalidArgumentError("--operator-name, --contact and --evidence FILE go together");
  const file = String(values.evidence);
  if (!existsSync(file))
    throw new InvalidArgumentError(`--evidence ${file}: no such file (pass the evidence document itself)`);
  const r = {
    operator_name: String(values["operator-name"]),
    contact: String(values.contact),
    evidence_sha256: createHash("sha256").update(readFileSync(file)).digest("hex"),
  };
  const bad = identityFieldProblems(r);
  if (bad.length)
    throw new InvalidArgumentError(bad.map((b) => `--${b.field.replace("_", "-")}: ${b.problem}`).join("; "));
  return r;
}

/** A co-signer's public key: a file holding hex (as `keys show`), base64 or amino JSON `{type, value}`, or the key itself. */
function readPubkey(arg: string): string {
  const text = existsSync(arg) ? readFileSync(arg, "utf8").trim() : arg.trim();
  if (text.startsWith("{")) {
    const j = JSON.parse(text) as { type?: string; value?: string; key?: string };
    return String(j.value ?? j.key ?? "");
  }
  // `dsdnd keys show` prints the key as hex.
  if (/^[0-9a-fA-F]{66}$/.test(text)) return Buffer.from(text, "hex").toString("base64");
  return text;
}

const setFoundation: Command = {
  summary: "set the foundation to a threshold multisig of the co-signers' public keys (LegacyAminoPubKey)",
  usage: "--threshold T --pubkey FILE|BASE64 [--pubkey ...] [--home DIR]",
  options: {
    ...homeOption,
    threshold: { type: "string" },
    pubkey: { type: "string", multiple: true },
  },
  run({ values, out }) {
    const keys = ((values.pubkey as string[] | undefined) ?? []).map(readPubkey);
    const threshold = Number(values.threshold ?? Number.NaN);
    const record = foundationRecord(keys, threshold);
    const path = genesisPath(String(values.home));
    const genesis = JSON.parse(readFileSync(path, "utf8")) as {
      app_state: Record<string, any>;
      dsdn?: Record<string, any>;
    };
    const gov = genesis.app_state.gov ?? {};
    genesis.app_state.gov = { ...gov, params: { ...(gov.params ?? {}), foundation: record.address } };
    genesis.dsdn = { ...genesis.dsdn, foundation: record };
    // The account exists from genesis so its number is fixed before the ceremony signs anything.
    const auth = genesis.app_state.auth;
    if (auth && !auth.accounts.some((a: { address: string }) => a.address === record.address))
      auth.accounts.push({ address: record.address });
    validateAppState(genesis.app_state);
    writeFileSync(path, JSON.stringify(genesis, null, 2));
    out(`foundation ${record.address}: ${threshold}-of-${keys.length} multisig, written to ${path}`);
    return 0;
  },
};

const buildMainnet: Command = {
  summary: "write a mainnet-shaped genesis (every module's params, no dev accounts) to this home",
  usage:
    "--chain-id nusantara-1 --genesis-time 2027-01-01T00:00:00Z [--total-supply AMOUNT] [--home DIR] [--overwrite]",
  options: {
    ...homeOption,
    "chain-id": { type: "string" },
    "genesis-time": { type: "string" },
    "total-supply": { type: "string" },
    overwrite: { type: "boolean" },
  },
  run({ values, out }) {
    if (!values["chain-id"] || !values["genesis-time"])
      throw new InvalidArgumentError("--chain-id and --genesis-time are required");
    const path = genesisPath(String(values.home));
    if (existsSync(path) && !values.overwrite) {
      const old = JSON.parse(readFileSync(path, "utf8")) as { validators?: unknown[] };
      if ((old.validators ?? []).length > 0)
        throw new InvalidArgumentError(`${path} already has validators; --overwrite to replace it`);
    }
    const supply = values["total-supply"];
    if (supply !== undefined && !/^[1-9][0-9]{0,30}$/.test(String(supply)))
      throw new InvalidArgumentError("--total-supply: a positive integer in base units (unusa)");
    const g = buildMainnetGenesis({
      chainId: String(values["chain-id"]),
      genesisTime: String(values["genesis-time"]),
      totalSupply: supply === undefined ? undefined : BigInt(String(supply)),
    });
    writeFileSync(path, JSON.stringify(g, null, 2));
    out(`wrote ${path}; next: add-account, add-validator (each operator), set-foundation, validate (docs/MAINNET.md)`);
    return 0;
  },
};

const validate: Command = {
  summary: "check a genesis file and explain every problem (JSON path, what is wrong, what to do)",
  usage: "[FILE] [--home DIR] [-o json]",
  options: { ...homeOption, output: { type: "string", short: "o", default: "text" } },
  run({ positionals, values, out }) {
    const file = positionals[0] ?? genesisPath(String(values.home));
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      out(
        formatProblems([
          { path: "$", problem: `cannot read ${file}: ${(e as Error).message}`, fix: "pass a JSON genesis file" },
        ]),
      );
      return 1;
    }
    const problems = checkGenesis(doc);
    out(
      values.output === "json"
        ? JSON.stringify({ valid: problems.length === 0, problems }, null, 2)
        : formatProblems(problems),
    );
    return problems.length === 0 ? 0 : 1;
  },
};

export const genesis: CommandGroup = {
  summary: "build, edit and validate genesis before the chain starts",
  commands: {
    "add-account": async () => addAccount,
    "add-validator": async () => addValidator,
    "set-foundation": async () => setFoundation,
    "build-mainnet": async () => buildMainnet,
    validate: async () => validate,
  },
};
