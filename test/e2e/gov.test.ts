/**
 * @module End to end on a real 4-validator localnet: fees reach validators by power and are withdrawn
 * (balances exact); a param-change proposal passes, waits for the foundation's approval, then applies; a
 * vetoed one never does; CosmJS's gov extension (QueryClient) reads the proposals.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { QueryClient, setupBankExtension, setupGovExtension } from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import {
  QueryValidatorOutstandingRewardsRequest,
  QueryValidatorOutstandingRewardsResponse,
} from "cosmjs-types/cosmos/distribution/v1beta1/query";
import { ProposalStatus } from "cosmjs-types/cosmos/gov/v1beta1/gov";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../common/paths.js";
import { addDevKeys } from "../support/devKeys.js";
import { type Localnet, startLocalnet, waitFor } from "../support/localnet.js";

const run = promisify(execFile);
const root = projectRoot();
const dsdnd = join(root, "bin", "dsdnd.js");
const FEE = 10_000n; // every tx below pays exactly --fees 10000unusa (gas 400000 at 0.025unusa)
const DEC = 10n ** 18n;

let net: Localnet;
let rpc0: string;
let keyringDir: string;

async function cli(...args: string[]): Promise<string> {
  const { stdout } = await run("node", [dsdnd, ...args], { cwd: root, maxBuffer: 1 << 22 });
  return stdout.trim();
}
const cliJson = async (...args: string[]) => JSON.parse(await cli(...args, "--node", rpc0, "-o", "json"));
const tx = (...args: string[]) =>
  cliJson(
    "tx",
    ...args,
    "--keyring-dir",
    keyringDir,
    "--keyring-backend",
    "test",
    "--fees",
    `${FEE}unusa`,
    "--gas",
    "300000",
  );
/** A tx expected to fail: refused in CheckTx (the CLI exits with the log on stderr) or in the block (JSON on stdout). */
async function refused(...args: string[]): Promise<string> {
  try {
    const r = await tx(...args);
    throw new Error(`expected a refusal, got code ${r.code}`);
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    if (err.message.startsWith("expected a refusal")) throw e;
    try {
      const j = JSON.parse(err.stdout ?? "") as { code: number; rawLog?: string };
      expect(j.code).not.toBe(0);
      return j.rawLog ?? "";
    } catch {
      return `${err.stderr ?? ""} ${err.message}`;
    }
  }
}
const account = (name: string) => {
  const a = net.accounts.find((x) => x.name === name);
  if (!a) throw new Error(`no dev account ${name}`);
  return a;
};

async function withClient<T>(
  fn: (q: QueryClient & ReturnType<typeof setupGovExtension> & ReturnType<typeof setupBankExtension>) => Promise<T>,
): Promise<T> {
  const comet = await connectComet(rpc0);
  try {
    return await fn(QueryClient.withExtensions(comet, setupGovExtension, setupBankExtension));
  } finally {
    comet.disconnect();
  }
}

/** Balance and outstanding rewards (10^-18 unusa) of an address at one height. */
async function stateAt(address: string, height: number): Promise<{ balance: bigint; owed: bigint }> {
  return withClient(async (q) => {
    const { QueryBalanceRequest, QueryBalanceResponse } = await import("cosmjs-types/cosmos/bank/v1beta1/query");
    const bal = await q.queryAbci(
      "/cosmos.bank.v1beta1.Query/Balance",
      QueryBalanceRequest.encode({ address, denom: "unusa" }).finish(),
      height,
    );
    const owed = await q.queryAbci(
      "/cosmos.distribution.v1beta1.Query/ValidatorOutstandingRewards",
      QueryValidatorOutstandingRewardsRequest.encode({ validatorAddress: address }).finish(),
      height,
    );
    return {
      balance: BigInt(QueryBalanceResponse.decode(bal.value).balance?.amount ?? "0"),
      owed: BigInt(QueryValidatorOutstandingRewardsResponse.decode(owed.value).rewards?.rewards[0]?.amount ?? "0"),
    };
  });
}

beforeAll(async () => {
  net = await startLocalnet({ validators: 4, services: "chain" });
  rpc0 = net.rpcUrls[0] as string;
  keyringDir = join(net.dir, "e2e-keyring");
  await addDevKeys(net, keyringDir, ["operator0", "operator1", "operator2", "foundation", "alice"]);
}, 180_000);

afterAll(async () => {
  await net?.stop();
});

describe("fee distribution on a real localnet", () => {
  it("fees reach the validators by power and a withdrawal pays exactly what was owed", async () => {
    const op0 = account("operator0").address;
    for (let i = 0; i < 3; i++)
      expect((await tx("bank", "send", "alice", account("bob").address, "1unusa")).code).toBe(0);
    const r = await cliJson("query", "distribution", "rewards", op0);
    expect(BigInt(r.total[0].withdrawable)).toBeGreaterThan(0n);
    const w = await tx("distribution", "withdraw-rewards", "operator0");
    expect(w.code).toBe(0);
    const at = Number(w.height);
    const before = await stateAt(op0, at - 1);
    const after = await stateAt(op0, at);
    // Paid the whole units owed at the end of the previous block, minus its own fee (whose share, with the
    // block's other fees, accrues again in the same end block).
    expect(after.balance).toBe(before.balance - FEE + before.owed / DEC);
    expect(after.owed).toBeLessThan(before.owed);
    // Equal power (10 each): equal rewards at any one height.
    const others = await Promise.all(
      ["operator1", "operator2", "operator3"].map((n) => stateAt(account(n).address, at)),
    );
    for (const o of others) expect(o.owed).toBe(others[0]!.owed);
    expect(others[0]!.owed).toBeGreaterThan(0n);
  }, 120_000);
});

describe("bootstrap governance on a real localnet", () => {
  const stakeParams = async () => (await cliJson("query", "stake", "params")) as Record<string, string>;
  const proposal = (id: number) => cliJson("query", "gov", "proposal", String(id));
  async function passed(changes: string): Promise<number> {
    const s = await tx(
      "gov",
      "submit-proposal",
      "operator0",
      "--module",
      "stake",
      "--changes",
      changes,
      "--title",
      "more unbonding entries",
      "--deposit",
      "1000000unusa",
    );
    expect(s.code).toBe(0);
    const list = await withClient((q) => q.gov.proposals(ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD, "", ""));
    const id = Number(list.proposals.at(-1)!.proposalId);
    // The three votes at once: the localnet's voting period is 15 s of block time, and three CLI round trips one
    // after another can outlast it on a loaded machine ("inactive proposal" for the last vote).
    const votes = await Promise.all(
      ["operator0", "operator1", "operator2"].map((v) => tx("gov", "vote", v, String(id), "yes")),
    );
    for (const v of votes) expect(v.code).toBe(0);
    await waitFor(
      async () => (await proposal(id)).status === "PROPOSAL_STATUS_PASSED",
      60_000,
      `proposal ${id} to pass`,
    );
    return id;
  }

  it("a passed param change waits for the foundation's approval, then applies; CosmJS reads it", async () => {
    const before = (await stakeParams()).maxEntries;
    const id = await passed('{"maxEntries":"9"}');
    const p = await proposal(id);
    expect(p.execution.status).toBe("EXECUTION_STATUS_AWAITING_FOUNDATION");
    expect(p.tally).toMatchObject({ yes: "30", no: "0" });
    expect((await stakeParams()).maxEntries).toBe(before);
    expect(await refused("gov", "foundation-approve", "alice", String(id))).toMatch(/not the foundation authority/);
    expect((await tx("gov", "foundation-approve", "foundation", String(id))).code).toBe(0);
    expect((await stakeParams()).maxEntries).toBe("9");
    expect((await proposal(id)).execution.status).toBe("EXECUTION_STATUS_EXECUTED");
    // CosmJS's stock gov extension (v1beta1) reads the proposal with its content and final tally.
    const read = await withClient((q) => q.gov.proposal(id));
    expect(read.proposal.status).toBe(ProposalStatus.PROPOSAL_STATUS_PASSED);
    expect(read.proposal.content?.typeUrl).toBe("/dsdn.gov.v1.MsgParamChange");
    expect(read.proposal.finalTallyResult.yes).toBe("30");
  }, 180_000);

  it("dsdnd tx gov deposit completes a short deposit and starts the vote; dsdnd query gov votes lists the votes", async () => {
    const s = await tx(
      "gov",
      "submit-proposal",
      "operator0",
      "--text",
      "--title",
      "an advisory question",
      "--deposit",
      "1000unusa",
    );
    expect(s.code).toBe(0);
    const list = await withClient((q) => q.gov.proposals(ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD, "", ""));
    const id = Number(list.proposals.at(-1)!.proposalId);
    expect((await proposal(id)).status).toBe("PROPOSAL_STATUS_DEPOSIT_PERIOD");
    expect((await tx("gov", "deposit", "alice", String(id), "999000unusa")).code).toBe(0); // reaches 1 NUSA
    expect((await proposal(id)).status).toBe("PROPOSAL_STATUS_VOTING_PERIOD");
    expect((await tx("gov", "vote", "operator1", String(id), "no")).code).toBe(0);
    const votes = (await cliJson("query", "gov", "votes", String(id))) as { voter: string; option: string }[];
    expect(votes).toEqual([{ voter: account("operator1").address, option: "VOTE_OPTION_NO" }]);
  }, 120_000);

  it("a vetoed proposal never applies", async () => {
    const id = await passed('{"maxEntries":"11"}');
    expect((await tx("gov", "foundation-veto", "foundation", String(id), "--reason", "not now")).code).toBe(0);
    const p = await proposal(id);
    expect(p.status).toBe("PROPOSAL_STATUS_REJECTED");
    expect(p.execution.status).toBe("EXECUTION_STATUS_VETOED");
    expect(await refused("gov", "foundation-approve", "foundation", String(id))).toMatch(/not awaiting/);
    expect((await stakeParams()).maxEntries).not.toBe("11");
    const votes = await cliJson("query", "gov", "proposals", "--status", "rejected");
    expect(votes.map((x: { id: string }) => x.id)).toContain(String(id));
  }, 180_000);
});
