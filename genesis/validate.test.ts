import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildModules } from "../app/buildApp.js";
import { genesis as genesisCli } from "../clients/dsdnd/commands/genesis.js";
import type { Command } from "../common/cli.js";
import { ed25519KeyPair } from "../common/ed25519.js";
import { fromHex, toHex } from "../common/hash.js";
import { pubKeyToAddress, secp256k1KeyPair } from "../common/secp256k1.js";
import { ModuleAccount, moduleAddress } from "../modules/auth/moduleAccounts.js";
import { Committee, CommitteeStatus } from "../proto/gen/dsdn/committee/v1/committee.js";
import { TestChain } from "../test/support/testChain.js";
import { checkGenesis, type GenesisProblem } from "./validate.js";

const home = mkdtempSync(join(tmpdir(), "genesis-validate-"));
const gpath = join(home, "config", "genesis.json");
const cosigners = [1, 2, 3, 4, 5].map((i) => secp256k1KeyPair(fromHex(`0${i}`.repeat(32))));
const [op0, op1] = [secp256k1KeyPair(fromHex("a1".repeat(32))), secp256k1KeyPair(fromHex("a2".repeat(32)))].map((k) =>
  pubKeyToAddress(k.publicKey),
) as [string, string];
const consensus = [ed25519KeyPair(fromHex("c1".repeat(32))), ed25519KeyPair(fromHex("c2".repeat(32)))];

async function cli(name: string, positionals: string[], values: Record<string, unknown>): Promise<string[]> {
  const lines: string[] = [];
  const cmd = (await genesisCli.commands[name]!()) as Command;
  const code = await cmd.run({
    positionals,
    values: { home, "keyring-backend": "test", ...values } as never,
    out: (l) => lines.push(l),
    err: (l) => lines.push(l),
  });
  lines.push(`exit ${code}`);
  return lines;
}

let valid: Record<string, any>;
const clone = () => structuredClone(valid);

beforeAll(async () => {
  mkdirSync(join(home, "config"), { recursive: true });
  await cli("build-mainnet", [], {
    "chain-id": "nusantara-1",
    "genesis-time": "2027-01-01T00:00:00Z",
    "total-supply": "10000000000000",
  });
  writeFileSync(join(home, "evidence.pdf"), "signed attestation of operator");
  for (const [i, op] of [op0, op1].entries()) {
    await cli("add-account", [op, "5000000000000unusa"], {});
    writeFileSync(
      join(home, "config", "priv_validator_key.json"),
      JSON.stringify({ pub_key: { value: Buffer.from(consensus[i]!.publicKey).toString("base64") } }),
    );
    await cli("add-validator", [op], {
      "self-bond": "2000000000unusa",
      moniker: `v${i}`,
      "operator-name": `PT Operator ${i}`,
      contact: `noc${i}@example.id`,
      evidence: join(home, "evidence.pdf"),
    });
  }
  const pubkeyFile = join(home, "cosigner1.json");
  writeFileSync(
    pubkeyFile,
    JSON.stringify({
      type: "tendermint/PubKeySecp256k1",
      value: Buffer.from(cosigners[0]!.publicKey).toString("base64"),
    }),
  );
  await cli("set-foundation", [], {
    threshold: "3",
    // A file with amino JSON, hex (as `keys show` prints) and base64 forms.
    pubkey: [
      pubkeyFile,
      Buffer.from(cosigners[1]!.publicKey).toString("hex"),
      ...cosigners.slice(2).map((k) => Buffer.from(k.publicKey).toString("base64")),
    ],
  });
  valid = JSON.parse(readFileSync(gpath, "utf8"));
  // The initial committee with its DKG result (threshold 2 of the two genesis validators).
  const group = Buffer.from(ed25519KeyPair(fromHex("d0".repeat(32))).publicKey);
  valid.app_state.committee.committees = [
    Committee.toJSON({
      ...Committee.fromPartial({}),
      epoch: 1n,
      startHeight: 1n,
      endHeight: 1000n,
      threshold: 2,
      members: [op0, op1].map((operator, i) => ({
        operator,
        identityKey: Buffer.from(ed25519KeyPair(fromHex(`e${i}`.repeat(32))).publicKey),
        endpoint: `https://c${i}.example.id`,
        weight: "2000000000",
        vrfPublicKey: Buffer.alloc(32),
      })),
      status: CommitteeStatus.COMMITTEE_STATUS_ACTIVE,
      groupPublicKey: group,
      verifyingShares: [Buffer.alloc(32, 1), Buffer.alloc(32, 2)],
      commitments: [group, Buffer.alloc(32, 3)],
    }),
  ];
  valid.app_state.committee.currentEpoch = "1";
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

const paths = (ps: GenesisProblem[]) => ps.map((p) => `${p.path}: ${p.problem}`);

describe("dsdnd genesis validate", () => {
  it("accepts the mainnet genesis built with the CLI (identities, foundation 3-of-5, committee with DKG result)", async () => {
    expect(paths(checkGenesis(valid))).toEqual([]);
    writeFileSync(gpath, JSON.stringify(valid));
    expect((await cli("validate", [gpath], {})).join("\n")).toMatch(/genesis is valid\nexit 0$/);
  });

  // One case per class of mistake: the mutation, then the path and words the report must contain.
  const cases: [string, (g: Record<string, any>) => void, string, RegExp][] = [
    ["shape: no app_state", (g) => delete g.app_state, "app_state", /missing/],
    ["shape: bad genesis time", (g) => (g.genesis_time = "tomorrow"), "genesis_time", /RFC 3339/],
    ["chain id: not name-revision", (g) => (g.chain_id = "Nusantara"), "chain_id", /<name>-<revision>/],
    ["unknown module", (g) => (g.app_state.bogus = {}), "app_state.bogus", /not a module/],
    [
      "params out of range (stake, via its validateGenesis)",
      (g) => (g.app_state.stake.params.powerReduction = "-5"),
      "app_state.stake.params",
      /./,
    ],
    [
      "params out of range (gov, via its validateGenesis)",
      (g) => (g.app_state.gov.params.quorumPpm = "2000000"),
      "app_state.gov",
      /must be 1\.\.1000000/,
    ],
    [
      "balances vs declared supply",
      (g) => (g.dsdn.total_supply[0].amount = "1"),
      "dsdn.total_supply[0]",
      /add up to 10000000000000unusa/,
    ],
    [
      "bonded pool vs bonds",
      (g) => {
        const pool = g.app_state.bank.balances.find((b: any) => b.address === moduleAddress(ModuleAccount.BondedPool));
        pool.coins[0].amount = "1";
      },
      "app_state.bank.balances[address=",
      /bonded pool holds 1unusa but validator and node bonds total 4000000000unusa/,
    ],
    [
      "validator without a bond",
      (g) =>
        g.validators.push({
          pub_key: { type: "tendermint/PubKeyEd25519", value: Buffer.alloc(32, 9).toString("base64") },
          power: "10",
          name: "ghost",
        }),
      "validators[2]",
      /ghost has no bond/,
    ],
    ["power not matching the bond", (g) => (g.validators[0].power = "999"), "validators[0].power", /gives power 2000/],
    [
      "duplicate consensus key",
      (g) => g.validators.push(structuredClone(g.validators[0])),
      "validators[2].pub_key",
      /same consensus key as validators\[0\]/,
    ],
    [
      "duplicate balance address",
      (g) => g.app_state.bank.balances.push(structuredClone(g.app_state.bank.balances[0])),
      "app_state.bank.balances",
      /duplicate/,
    ],
    [
      "committee member not a validator",
      (g) => (g.app_state.committee.committees[0].members[1].operator = g.dsdn.foundation.address),
      "app_state.committee.committees[0].members[1].operator",
      /not a bonded genesis validator/,
    ],
    [
      "DKG result inconsistent with members",
      (g) => g.app_state.committee.committees[0].verifyingShares.pop(),
      "app_state.committee.committees[0].verifyingShares",
      /1 shares for 2 members/,
    ],
    [
      "DKG commitments not of the group key",
      (g) => (g.app_state.committee.committees[0].commitments[0] = Buffer.alloc(32, 7).toString("base64")),
      "app_state.committee.committees[0].commitments[0]",
      /not the group key/,
    ],
    ["foundation missing", (g) => delete g.dsdn.foundation, "dsdn.foundation", /no foundation multisig/],
    [
      "foundation threshold 1 (not a real multisig)",
      (g) => (g.dsdn.foundation.pubkey.value.threshold = "1"),
      "dsdn.foundation.pubkey",
      /threshold must be an integer in 2\.\.5/,
    ],
    [
      "foundation address not the key's",
      (g) => (g.dsdn.foundation.address = op0),
      "dsdn.foundation.address",
      /but the key's address is/,
    ],
    [
      "gov foundation differs from the multisig",
      (g) => (g.app_state.gov.params.foundation = op1),
      "app_state.gov.params.foundation",
      /but the foundation multisig is/,
    ],
    [
      "identity record missing",
      (g) => g.dsdn.validator_identities.pop(),
      "app_state.stake.validators[1]",
      /has no identity record/,
    ],
    [
      "identity record incomplete",
      (g) => (g.dsdn.validator_identities[0].evidence_sha256 = "abc"),
      "dsdn.validator_identities[0].evidence_sha256",
      /64 lower-case hex/,
    ],
  ];
  it.each(cases)("%s", (_name, mutate, path, words) => {
    const g = clone();
    mutate(g);
    const problems = checkGenesis(g);
    const hit = problems.find((p) => p.path.startsWith(path) && words.test(p.problem));
    expect(hit, paths(problems).join("\n")).toBeDefined();
    expect(hit!.fix.length).toBeGreaterThan(0);
  });

  // Every module of the app (those merged later included) judges its own section through its validateGenesis.
  const withParams = buildModules()
    .modules.filter((m) => m.validateGenesis && m.params)
    .map((m) => m.name);
  it.each(withParams)("module %s: a param out of range is reported under its section", (name) => {
    const g = clone();
    const params = g.app_state[name].params as Record<string, unknown>;
    // An integer param set negative, or else a boolean one set to a string.
    const key =
      Object.keys(params).find((k) => typeof params[k] === "string" && /^[0-9]+$/.test(String(params[k]))) ??
      Object.keys(params).find((k) => typeof params[k] === "boolean");
    expect(key, `${name} has an integer or boolean param`).toBeDefined();
    params[key!] = typeof params[key!] === "boolean" ? "yes" : "-1";
    const problems = checkGenesis(g);
    expect(
      problems.some((p) => p.path.startsWith(`app_state.${name}`)),
      paths(problems).join("\n"),
    ).toBe(true);
  });

  it("reports every problem, not the first one", async () => {
    const g = clone();
    g.chain_id = "Nusantara";
    g.app_state.gov.params.quorumPpm = "2000000";
    delete g.dsdn.foundation;
    g.dsdn.validator_identities = [];
    g.validators[0].power = "1";
    const problems = checkGenesis(g);
    for (const p of [
      "chain_id",
      "app_state.gov",
      "dsdn.foundation",
      "app_state.stake.validators[0]",
      "validators[0].power",
    ])
      expect(
        problems.some((x) => x.path.startsWith(p)),
        p,
      ).toBe(true);
    writeFileSync(gpath, JSON.stringify(g));
    const report = (await cli("validate", [gpath], {})).join("\n");
    expect(report).toMatch(new RegExp(`^${problems.length} problems:`));
    expect(report).toMatch(/fix: /);
    expect(report).toMatch(/exit 1$/);
  });

  it("add-validator records the evidence's sha256 and wants the three identity flags together", async () => {
    const { createHash } = await import("node:crypto");
    const sha = createHash("sha256").update("signed attestation of operator").digest("hex");
    expect(valid.dsdn.validator_identities.map((r: { evidence_sha256: string }) => r.evidence_sha256)).toEqual([
      sha,
      sha,
    ]);
    await expect(cli("add-validator", [op0], { contact: "noc@example.id" })).rejects.toThrow(/go together/);
    await expect(
      cli("add-validator", [op0], { "operator-name": "x", contact: "y", evidence: join(home, "missing.pdf") }),
    ).rejects.toThrow(/no such file/);
  });

  it("a development chain id needs no identities or foundation", () => {
    const g = clone();
    g.chain_id = "nusantara-localnet-1";
    delete g.dsdn;
    expect(paths(checkGenesis(g))).toEqual([]);
  });

  it("the mainnet genesis starts, and export → import gives the same app hash (and still validates)", () => {
    const chains = [new TestChain(valid.app_state)];
    try {
      chains[0]!.init();
      chains[0]!.block();
      chains[0]!.block([], { dt: 60n });
      const g1 = chains[0]!.exportAppState();
      const imported = new TestChain(g1);
      const twin = new TestChain(g1);
      chains.push(imported, twin);
      imported.init();
      twin.init();
      expect(toHex(imported.initHash)).toBe(toHex(twin.initHash));
      imported.block();
      const g2 = imported.exportAppState();
      const again = new TestChain(g2);
      chains.push(again);
      again.init();
      expect(toHex(again.initHash)).toBe(toHex(imported.initHash));
      expect(g2).toEqual(g1);
      // An operator re-launching from the export (same records) gets a clean report, except that the declared
      // launch supply no longer holds: the chain minted since genesis, and validate says so.
      expect(paths(checkGenesis({ ...valid, app_state: g1 }))).toEqual([
        expect.stringMatching(
          /^dsdn\.total_supply\[0\]: declares 10000000000000unusa but the genesis balances add up to/,
        ),
      ]);
      expect(
        paths(checkGenesis({ ...valid, app_state: g1, dsdn: { ...valid.dsdn, total_supply: undefined } })),
      ).toEqual([]);
    } finally {
      for (const c of chains) c.close();
    }
  });
});
