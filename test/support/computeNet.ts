/**
 * @module A localnet for compute end to end (tests and bench): 4 validators, DA, coordinator, 3 storage nodes with
 * compute agents, ingress; the dev keys in a test keyring; a 4-member FROST committee registered and its DKG recorded;
 * every storage node's heartbeat in. Plus the CLI helpers both use.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { decodeTxRaw } from "@cosmjs/proto-signing";
import { StargateClient } from "@cosmjs/stargate";
import { projectRoot } from "../../common/paths.js";
import { loadOrCreateIdentity } from "../../node-agent/storage/identity.js";
import { type Localnet, startLocalnet, waitFor } from "./localnet.js";
import { startUrlProcess } from "./process.js";

const run = promisify(execFile);
export const root = projectRoot();
export const bins = {
  dsdnd: join(root, "bin", "dsdnd.js"),
  dsdn: join(root, "bin", "dsdn.js"),
  dsdnNode: join(root, "bin", "dsdn-node.js"),
  member: join(root, "dist", "node-agent", "coordinator", "receipts", "main.js"),
};

export interface ComputeNet {
  readonly net: Localnet;
  readonly rpc0: string;
  readonly keyringDir: string;
  readonly members: readonly { dir: string; url: string; log: string[] }[];
  account(name: string): { name: string; address: string; mnemonic: string };
  cli(bin: string, ...args: string[]): Promise<string>;
  chainJson(...args: string[]): Promise<any>;
  tx(...args: string[]): Promise<any>;
  keyArgs(name: string): string[];
  balance(address: string): Promise<bigint>;
  /** Fee paid and gas used by a committed tx. */
  txCost(txhash: string): Promise<{ fee: bigint; gasUsed: bigint }>;
  /** Claims a receipt file as `from`, retrying while the chain answers "challenge window"; the committed tx. */
  claimAfterWindow(file: string, from: string, timeoutMs?: number): Promise<any>;
  /** storage/<n> of the localnet whose node key is `nodeId`, and its operator's dev account name. */
  nodeDirOf(nodeId: string): Promise<{ dir: string; operator: string }>;
  stop(): Promise<void>;
}

const KEYS = ["alice", "storage0", "storage1", "storage2", "operator0", "operator1", "operator2", "operator3"];

export async function startComputeNet(
  o: {
    /** Storage nodes (default 3). */
    storageNodes?: number;
    /** Extra LOCALNET_* knobs (fault modes, windows). */
    env?: Record<string, string>;
    /** More dev accounts in the test keyring. */
    keys?: readonly string[];
  } = {},
): Promise<ComputeNet> {
  const storageNodes = o.storageNodes ?? 3;
  const net = await startLocalnet({ validators: 4, storageNodes, ...(o.env ? { env: o.env } : {}) });
  const children: ChildProcess[] = [];
  const rpc0 = net.rpcUrls[0] as string;
  const keyringDir = join(net.dir, "e2e-keyring");
  const account = (name: string) => {
    const a = net.accounts.find((x) => x.name === name);
    if (!a) throw new Error(`no dev account ${name}`);
    return a;
  };
  const env = () => ({ ...process.env, ...net.env, DSDND_KEYRING_BACKEND: "test" });
  const cli = async (bin: string, ...args: string[]) =>
    (await run("node", [bin, ...args], { cwd: root, env: env(), maxBuffer: 1 << 24 })).stdout.trim();
  const chainJson = async (...args: string[]) =>
    JSON.parse(await cli(bins.dsdnd, ...args, "--node", rpc0, "-o", "json"));
  const tx = (...args: string[]) => chainJson("tx", ...args, "--keyring-dir", keyringDir, "--keyring-backend", "test");
  const stop = async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
    await Promise.all(
      children.map((c) =>
        c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once("exit", r)) : undefined,
      ),
    );
    await net.stop();
  };
  try {
    for (const name of [...KEYS, ...(o.keys ?? [])])
      await new Promise<void>((resolve, reject) => {
        const p = spawn(
          "node",
          [bins.dsdnd, "keys", "add", name, "--recover", "--keyring-dir", keyringDir, "--keyring-backend", "test"],
          {
            cwd: root,
          },
        );
        p.stdin.end(account(name).mnemonic);
        p.on("exit", (c) => (c === 0 ? resolve() : reject(new Error(`keys add ${name} exited ${c}`))));
      });
    const da = [
      "--da",
      net.env.DA_RPC_URL!,
      "--token-file",
      net.env.DA_WRITE_TOKEN_FILE!,
      "--namespace",
      net.env.DA_NAMESPACE!,
    ];
    const members = await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        const dir = join(net.dir, `committee-${i}`);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, "operator.mnemonic"), account(`operator${i}`).mnemonic, { mode: 0o600 });
        const log: string[] = [];
        const { url } = await startUrlProcess(
          [
            bins.member,
            "serve",
            "--data",
            dir,
            "--rpc",
            rpc0,
            "--port",
            "0",
            "--key-file",
            join(dir, "frost.key"),
            "--operator-mnemonic-file",
            join(dir, "operator.mnemonic"),
            "--poll-ms",
            "300",
            ...da,
            ...net.env.DSDN_COORDINATOR_KEYS!.split(",").flatMap((k) => ["--coordinator", k]),
          ],
          /listening on (http:\/\/\S+)/,
          { cwd: root, log, children },
        );
        return { dir, url, log };
      }),
    );
    for (const [i, m] of members.entries()) {
      const r = await tx("committee", "register-coordinator", `operator${i}`, "--identity", m.dir, "--endpoint", m.url);
      if (r.code !== 0) throw new Error(`register-coordinator ${i}: ${r.rawLog}`);
    }
    await waitFor(
      async () =>
        (await chainJson("query", "committee", "show")).status === "COMMITTEE_STATUS_ACTIVE" ? true : undefined,
      90_000,
      "the committee's DKG",
    );
    await waitFor(
      async () => {
        const r = await fetch(`${net.env.DSDN_COORDINATOR_URL}/compute/info`);
        return r.ok && ((await r.json()) as { heartbeats: number }).heartbeats >= storageNodes ? true : undefined;
      },
      60_000,
      "compute heartbeats from the storage nodes",
    );
    return {
      net,
      rpc0,
      keyringDir,
      members,
      account,
      cli,
      chainJson,
      tx,
      keyArgs: (name) => ["--from", name, "--keyring-dir", keyringDir, "--keyring-backend", "test"],
      async balance(address) {
        const r = await chainJson("query", "bank", "balances", address);
        return BigInt(r.balances.find((b: { denom: string }) => b.denom === "unusa")?.amount ?? "0");
      },
      async txCost(txhash) {
        const client = await StargateClient.connect(rpc0);
        try {
          const t = await client.getTx(txhash);
          const fee = decodeTxRaw(t!.tx).authInfo.fee!.amount.find((c) => c.denom === "unusa")?.amount ?? "0";
          return { fee: BigInt(fee), gasUsed: t!.gasUsed };
        } finally {
          client.disconnect();
        }
      },
      claimAfterWindow: (file, from, timeoutMs = 120_000) =>
        waitFor(
          async () => {
            try {
              const t = await tx("receipt", "claim", file, "--from", from);
              return t.code === 0 ? t : undefined;
            } catch (e) {
              if (/challenge window/i.test((e as Error).message)) return undefined;
              throw e;
            }
          },
          timeoutMs,
          "the end of the challenge window",
        ),
      async nodeDirOf(nodeId) {
        for (let n = 0; n < storageNodes; n++) {
          const dir = join(net.dir, "storage", String(n));
          if ((await loadOrCreateIdentity(dir)).nodeId === nodeId) return { dir, operator: `storage${n}` };
        }
        throw new Error(`no localnet storage node ${nodeId}`);
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
