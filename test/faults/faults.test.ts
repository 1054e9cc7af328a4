/**
 * Real faults on a real 4-validator localnet (4 cometbft + 4 dsdnd): crash windows around
 * FinalizeBlock and Commit, a kill and a 30 s SIGSTOP under a steady CosmJS MsgSend load, downtime
 * jailing and unjail, and a double-signing validator. The tests share one localnet and run in order;
 * each disturbs at most one validator at a time, so 3 of 4 always keep the chain going.
 */
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localNodeConfig } from "../../clients/dsdnd/cometConfig.js";
import { projectRoot } from "../../common/paths.js";
import { type Localnet, latestHeight, rpc, startLocalnet, waitFor } from "../support/localnet.js";
import { checkExactlyOnce, type Load, startLoad } from "./load.js";
import {
  alive,
  appHashesAgree,
  kill,
  killStarted,
  pidOf,
  signalValidator,
  startProcess,
  startValidator,
  stopValidator,
  waitHeight,
  waitMarker,
} from "./processes.js";

const WINDOW = 200; // signed-blocks window: a 30 s pause stays below half of it, a long stop does not
const JAIL_SECONDS = 10;

let net: Localnet;
let urls: string[];
let rpc0: string;

beforeAll(async () => {
  net = await startLocalnet({
    validators: 4,
    timeoutCommit: "500ms",
    services: "chain",
    env: { LOCALNET_SLASHING_WINDOW: String(WINDOW), LOCALNET_DOWNTIME_JAIL_SECONDS: String(JAIL_SECONDS) },
  });
  urls = net.rpcUrls;
  rpc0 = urls[0] as string;
}, 240_000);

afterAll(async () => {
  await killStarted();
  await net?.stop();
}, 120_000);

const dsdnd = (args: string[], input?: string) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = spawn("node", [join(projectRoot(), "bin/dsdnd.js"), ...args], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? "");
  });

const account = (name: string) => {
  const a = net.accounts.find((x) => x.name === name);
  if (!a) throw new Error(`no dev account ${name}`);
  return a;
};

async function slashingStatus(operator: string) {
  const r = await dsdnd(["query", "slashing", "get-slashing-status", operator, "--node", rpc0, "-o", "json"]);
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as {
    jailed: boolean;
    tombstoned: boolean;
    jailedUntil: string;
    offences: { kind: string; height: string; slashed: string }[];
  };
}

async function stakeValidator(operator: string) {
  const r = await dsdnd(["query", "stake", "validator", operator, "--node", rpc0, "-o", "json"]);
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as { tokens: string; jailed: boolean; power: string };
}

const consAddress = async (n: number): Promise<string> =>
  (await rpc(urls[n] as string, "status")).validator_info.address as string;

async function inValidatorSet(address: string): Promise<boolean> {
  const v = await rpc(rpc0, "validators", { per_page: "100" });
  return (v.validators as { address: string }[]).some((x) => x.address === address);
}

/** The commit of some block after `from` carries a signature from `address`. */
async function signsAgain(address: string, from: number): Promise<number> {
  return waitFor(
    async () => {
      const h = (await latestHeight(rpc0)) - 1;
      if (h <= from) return undefined;
      const c = await rpc(rpc0, "commit", { height: String(h) });
      const sigs = c.signed_header.commit.signatures as { validator_address: string; block_id_flag: number }[];
      return sigs.some((s) => s.validator_address === address && s.block_id_flag === 2) ? h : undefined;
    },
    90_000,
    `a commit signed by ${address}`,
  );
}

/** CometBFT's handshake decisions in validator n's log: "appHeight=… storeHeight=… stateHeight=… | real app". */
function handshake(n: number): string[] {
  const lines = readFileSync(join(net.dir, "logs", `cometbft-${n}.log`), "utf8").split("\n");
  const out: string[] = [];
  for (const [i, line] of lines.entries()) {
    const m = /ABCI Replay Blocks .*(appHeight=\d+ storeHeight=\d+ stateHeight=\d+)/.exec(line);
    if (!m) continue;
    const how = /Replay last block using (real|mock) app/.exec(lines[i + 1] ?? "");
    out.push(`${m[1]} | ${how ? `${how[1]} app` : "synced"}`);
  }
  return out;
}

async function withLoad<T>(fn: (load: Load) => Promise<T>): Promise<T> {
  const load = await startLoad(net, ["alice", "bob", "carol"], [rpc0]);
  let out: T;
  try {
    await waitFor(async () => load.committed() >= 3, 60_000, "the load's first txs");
    out = await fn(load);
    const before = load.committed();
    await waitFor(async () => load.committed() >= before + 3, 90_000, "txs after the fault");
  } finally {
    const result = await load.stop();
    expect(result.errors).toEqual([]);
    const { txs } = await checkExactlyOnce(rpc0, result);
    expect(txs).toBeGreaterThan(6);
  }
  return out;
}

describe("crash windows", () => {
  it("cometbft killed right after FinalizeBlock (dsdnd keeps running): the replayed block is applied once", async () => {
    await withLoad(async () => {
      await stopValidator(net, 1);
      const marker = join(net.dir, "fault-1.marker");
      const target = (await latestHeight(rpc0)) + 6;
      await startValidator(net, 1, {
        DSDND_FAULT_PAUSE: `finalize@${target}`,
        DSDND_FAULT_MARKER: marker,
        DSDND_FAULT_PAUSE_MS: "6000",
      });
      const h = Number(await waitMarker(marker, 120_000));
      await kill(net, "cometbft", 1);
      startProcess(net, "cometbft", 1);
      // Its handshake re-sends block h to the same dsdnd; the node must go on past it in consensus.
      await waitHeight(urls[1] as string, h + 3, 120_000, `validator 1 past height ${h}`);
      const log = readFileSync(join(net.dir, "logs", "dsdnd-1.log"), "utf8");
      expect(log).toMatch(/TEST FAULT INJECTION on: pause 6000 ms at finalize@/);
      // The window was hit: CometBFT had block h stored, the app had not committed it, so it re-sent it.
      expect(handshake(1)).toContain(`appHeight=${h - 1} storeHeight=${h} stateHeight=${h - 1} | real app`);
    });
    await appHashesAgree(urls);
  }, 300_000);

  for (const phase of ["commit", "after-commit"] as const) {
    it(`dsdnd killed at ${phase === "commit" ? "the start of Commit (nothing persisted)" : "the end of Commit (persisted, unanswered)"}: both restart to the same app hash`, async () => {
      const n = phase === "commit" ? 3 : 1;
      await withLoad(async () => {
        await stopValidator(net, n);
        const marker = join(net.dir, `fault-${n}.marker`);
        const target = (await latestHeight(rpc0)) + 6;
        await startValidator(net, n, {
          DSDND_FAULT_PAUSE: `${phase}@${target}`,
          DSDND_FAULT_MARKER: marker,
          DSDND_FAULT_PAUSE_MS: "20000",
        });
        const h = Number(await waitMarker(marker, 120_000));
        await kill(net, "dsdnd", n);
        // CometBFT stops itself when its app connection dies; end it in case it has not yet.
        const cometPid = pidOf(net, "cometbft", n);
        await waitFor(async () => !alive(cometPid), 15_000, "cometbft to notice").catch(() => undefined);
        await kill(net, "cometbft", n);
        await startValidator(net, n);
        await waitHeight(urls[n] as string, h + 3, 120_000, `validator ${n} past height ${h}`);
        // Before Commit persisted: the app is one block behind and gets block h again. After: CometBFT
        // is one behind and replays h from its saved FinalizeBlock response without the app.
        expect(handshake(n)).toContain(
          phase === "commit"
            ? `appHeight=${h - 1} storeHeight=${h} stateHeight=${h - 1} | real app`
            : `appHeight=${h} storeHeight=${h} stateHeight=${h - 1} | mock app`,
        );
      });
      await appHashesAgree(urls);
    }, 300_000);
  }
});

describe("under a steady MsgSend load", () => {
  it("a validator killed and restarted, another paused 30 s: every tx committed exactly once, app hashes agree", async () => {
    await withLoad(async (load) => {
      await stopValidator(net, 3);
      const at = load.committed();
      await waitFor(async () => load.committed() >= at + 3, 60_000, "txs with validator 3 down");
      await startValidator(net, 3);
      await waitHeight(urls[3] as string, await latestHeight(rpc0), 120_000, "validator 3 to catch up");

      signalValidator(net, 2, "SIGSTOP");
      try {
        await new Promise((r) => setTimeout(r, 30_000));
      } finally {
        signalValidator(net, 2, "SIGCONT");
      }
      await waitHeight(urls[2] as string, await latestHeight(rpc0), 120_000, "validator 2 to catch up");
    });
    await appHashesAgree(urls);
  }, 300_000);
});

describe("validator faults reach slashing", () => {
  it("downtime: a validator stopped past the window is jailed, unjails after the jail time and signs again", async () => {
    const operator = account("operator2").address;
    const address = await consAddress(2);
    expect((await slashingStatus(operator)).jailed).toBe(false);
    const tokensBefore = BigInt((await stakeValidator(operator)).tokens);
    await stopValidator(net, 2);
    // The long part of the wait (a window's worth of missed blocks) on CometBFT's RPC: jailing takes it out of the
    // set. Polling the CLI for it spawned a node process per try for a minute, CPU the other localnet needs.
    await waitFor(async () => !(await inValidatorSet(address)), 240_000, "validator 2 out of the set");
    const jailed = await waitFor(
      async () => {
        const s = await slashingStatus(operator);
        return s.jailed ? s : undefined;
      },
      240_000,
      "validator 2 to be jailed for downtime",
    );
    expect(jailed.tombstoned).toBe(false);
    expect(jailed.offences.map((o) => o.kind)).toContain("downtime");
    expect(BigInt((await stakeValidator(operator)).tokens)).toBeLessThan(tokensBefore);
    await waitFor(async () => !(await inValidatorSet(address)), 30_000, "validator 2 out of the set");

    await startValidator(net, 2);
    await waitHeight(urls[2] as string, await latestHeight(rpc0), 120_000, "validator 2 to catch up");
    // Unjail is refused until the jail time (block time) has passed; then it brings it back.
    await waitFor(
      async () => {
        const b = await rpc(rpc0, "block");
        return Math.floor(Date.parse(b.block.header.time) / 1000) > Number(jailed.jailedUntil);
      },
      60_000,
      "the jail time to pass",
    );
    const keyring = mkdtempSync(join(tmpdir(), "faults-keyring-"));
    const kr = ["--keyring-dir", keyring, "--keyring-backend", "test"];
    expect(
      (await dsdnd(["keys", "add", "operator2", "--recover", ...kr], `${account("operator2").mnemonic}\n`)).code,
    ).toBe(0);
    const unjail = await dsdnd(["tx", "slashing", "unjail", "operator2", ...kr, "--node", rpc0, "-o", "json"]);
    expect(unjail.code, unjail.stderr).toBe(0);
    expect(JSON.parse(unjail.stdout).code).toBe(0);
    expect((await slashingStatus(operator)).jailed).toBe(false);
    await waitFor(async () => await inValidatorSet(address), 30_000, "validator 2 back in the set");
    await signsAgain(address, await latestHeight(rpc0));
    await appHashesAgree(urls);
  }, 300_000);

  it("double-sign: a second cometbft with validator 3's key equivocates; the evidence slashes, jails and tombstones it", async () => {
    const operator = account("operator3").address;
    const address = await consAddress(3);
    const tokensBefore = BigInt((await stakeValidator(operator)).tokens);
    const startHeight = await latestHeight(rpc0);
    // A copy of validator 3's home: its key, its own fresh sign state, app db and node identity.
    const src = join(net.dir, "chain", "node3");
    const home = join(net.dir, "chain", "node3-double");
    mkdirSync(join(home, "config"), { recursive: true });
    mkdirSync(join(home, "data"), { recursive: true });
    for (const f of ["genesis.json", "priv_validator_key.json"])
      copyFileSync(join(src, "config", f), join(home, "config", f));
    writeFileSync(join(home, "data", "priv_validator_state.json"), '{"height":"0","round":0,"step":0}\n');
    const nodes = JSON.parse(readFileSync(join(net.dir, "chain", "nodes.json"), "utf8")) as {
      nodeId: string;
      ports: { p2p: number };
    }[];
    const b = net.basePort + 40;
    const ports = { p2p: b, rpc: b + 1, abci: b + 2, prometheus: b + 3 };
    writeFileSync(
      join(home, "config", "config.toml"),
      localNodeConfig(readFileSync(join(src, "config", "config.toml"), "utf8"), {
        moniker: "node3-double",
        ports,
        peers: nodes.map((n) => `${n.nodeId}@127.0.0.1:${n.ports.p2p}`).join(","),
        timeoutCommit: "500ms",
      }),
    );
    const appCfg = JSON.parse(readFileSync(join(src, "config", "app.json"), "utf8"));
    writeFileSync(
      join(home, "config", "app.json"),
      JSON.stringify({ ...appCfg, abci: `tcp://127.0.0.1:${ports.abci}` }),
    );
    startProcess(net, "dsdnd", "3-double", { home });
    await new Promise((r) => setTimeout(r, 1000));
    startProcess(net, "cometbft", "3-double", { home });
    try {
      // As for downtime: wait on the RPC (the tombstoned validator leaves the set), then read the status by CLI.
      await waitFor(async () => !(await inValidatorSet(address)), 240_000, "validator 3 out of the set");
      const status = await waitFor(
        async () => {
          const s = await slashingStatus(operator);
          return s.tombstoned ? s : undefined;
        },
        240_000,
        "validator 3 to be tombstoned for double signing",
      );
      expect(status.jailed).toBe(true);
      const offence = status.offences.find((o) => o.kind === "double_sign");
      expect(offence).toBeDefined();
      // 5% of the self-bond (slashFractionDoubleSignPpm = 50 000).
      const v = await stakeValidator(operator);
      expect(BigInt(v.tokens)).toBe(tokensBefore - (tokensBefore * 50_000n) / 1_000_000n);
      expect(v.jailed).toBe(true);
      // The evidence came through CometBFT: a committed block carries it.
      let withEvidence = 0;
      for (let h = startHeight; h <= (await latestHeight(rpc0)) && !withEvidence; h++) {
        const blk = await rpc(rpc0, "block", { height: String(h) });
        if ((blk.block.evidence?.evidence ?? []).length > 0) withEvidence = h;
      }
      expect(withEvidence).toBeGreaterThan(0);
      await waitFor(async () => !(await inValidatorSet(address)), 30_000, "validator 3 out of the set");
    } finally {
      await kill(net, "cometbft", "3-double");
      await kill(net, "dsdnd", "3-double");
    }
    // Tombstoned: unjail is refused for good.
    const keyring = mkdtempSync(join(tmpdir(), "faults-keyring-"));
    const kr = ["--keyring-dir", keyring, "--keyring-backend", "test"];
    expect(
      (await dsdnd(["keys", "add", "operator3", "--recover", ...kr], `${account("operator3").mnemonic}\n`)).code,
    ).toBe(0);
    const unjail = await dsdnd(["tx", "slashing", "unjail", "operator3", ...kr, "--node", rpc0, "-o", "json"]);
    expect(`${unjail.stdout}${unjail.stderr}`).toMatch(/tombstoned/i);
    // The three honest validators go on and agree.
    await waitHeight(rpc0, (await latestHeight(rpc0)) + 3, 60_000, "blocks after the tombstone");
    await appHashesAgree(urls.slice(0, 3));
  }, 360_000);
});
