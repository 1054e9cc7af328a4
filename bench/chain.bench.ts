/**
 * @module `npm run bench -- chain`: sustained MsgSend throughput through a real 4-validator localnet,
 * broadcast→commit latency, and the app's own CPU per tx beside one secp256k1 verification.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { CheckTxType } from "cosmjs-types/tendermint/abci/types";
import { createApp } from "../app/buildApp.js";
import { ChainStore } from "../chain-app/store/index.js";
import { sha256Native } from "../common/hash.js";
import {
  secp256k1KeyPair,
  secp256k1Sign,
  secp256k1Verify,
  secp256k1VerifyEngine,
  secp256k1VerifyNoble,
} from "../common/secp256k1.js";
import { buildGenesis } from "../genesis/builder.js";
import { startLocalnet } from "../test/support/localnet.js";
import { addressOf, buildTx, sendMsg } from "../test/support/txBuilder.js";
import { fundAndLoadLocalnet } from "./chainLoad.js";
import { runVsSimd } from "./peers/simd/compare.js";
import { writeBenchSection } from "./report.js";

const CHAIN_FEE = [{ denom: "unusa", amount: "5000" }];

/** The app alone, in process: CPU for CheckTx + ProcessProposal/FinalizeBlock per tx, and one secp256k1 verify. */
export function measureAppCpu(txCount: number): {
  perTxUs: number;
  checkUs: number;
  finalizeUs: number;
  verifyUs: number;
  nobleUs: number;
} {
  const dir = mkdtempSync(join(tmpdir(), "bench-app-"));
  try {
    const senders = Array.from({ length: 100 }, (_, i) =>
      secp256k1KeyPair(sha256Native(new TextEncoder().encode(`bench-sender-${i}`))),
    );
    const genesis = buildGenesis({
      chainId: "bench-1",
      genesisTime: "2026-01-01T00:00:00Z",
      validators: [],
      balances: senders.map((k) => ({ address: addressOf(k), coins: [{ denom: "unusa", amount: "1000000000000" }] })),
    });
    const store = ChainStore.open(join(dir, "app.sqlite"));
    const app = createApp(store, { minGasPrice: "0.025unusa", log: () => {} });
    app.initChain({
      chainId: "bench-1",
      initialHeight: 1n,
      appStateBytes: new TextEncoder().encode(JSON.stringify(genesis.app_state)),
      validators: [],
      time: { seconds: 1n, nanos: 0 },
    } as any);
    const fin = (height: bigint, txs: Uint8Array[]) => {
      // As CometBFT does on every validator: ProcessProposal of the block, then FinalizeBlock and Commit.
      if (txs.length > 0) {
        const pp = app.processProposal({ txs, height } as any);
        if (pp.status !== 1) throw new Error(`bench ProcessProposal refused block ${height}`);
      }
      app.finalizeBlock({
        txs,
        height,
        time: { seconds: height, nanos: 0 },
        decidedLastCommit: { round: 0, votes: [] },
        misbehavior: [],
        hash: new Uint8Array(32),
        nextValidatorsHash: new Uint8Array(32),
        proposerAddress: new Uint8Array(20),
      } as any);
      app.commit({} as any);
    };
    fin(1n, []);
    const nums = new Map<string, bigint>();
    for (const k of senders) {
      const r = app.query({
        path: "/cosmos.auth.v1beta1.Query/Account",
        data: QueryAccountRequest.encode({ address: addressOf(k) }).finish(),
        height: 0n,
        prove: false,
      });
      nums.set(addressOf(k), BaseAccount.decode(QueryAccountResponse.decode(r.value!).account!.value).accountNumber);
    }
    const per = Math.ceil(txCount / senders.length);
    const txs: Uint8Array[] = [];
    for (let s = 0; s < per; s++) {
      for (const [i, k] of senders.entries()) {
        txs.push(
          buildTx({
            key: k,
            chainId: "bench-1",
            accountNumber: nums.get(addressOf(k))!,
            sequence: BigInt(s),
            msgs: [sendMsg(addressOf(k), addressOf(senders[(i + 1) % senders.length]!), 1n)],
            fee: CHAIN_FEE,
          }),
        );
      }
    }
    const c0 = process.cpuUsage();
    for (const tx of txs) {
      const r = app.checkTx({ tx, type: CheckTxType.NEW });
      if ((r.code ?? 0) !== 0) throw new Error(`bench CheckTx failed: ${r.log}`);
    }
    const c1 = process.cpuUsage(c0);
    const f0 = process.cpuUsage();
    for (let i = 0; i < txs.length; i += 1000) fin(BigInt(2 + i / 1000), txs.slice(i, i + 1000));
    const f1 = process.cpuUsage(f0);
    store.close();
    const kp = secp256k1KeyPair();
    const msg = new Uint8Array(200).fill(7);
    const sig = secp256k1Sign(msg, kp.secretKey);
    const v0 = performance.now();
    const N = 2000;
    for (let i = 0; i < N; i++) secp256k1Verify(sig, msg, kp.publicKey);
    const verifyUs = ((performance.now() - v0) * 1000) / N;
    const n0 = performance.now();
    for (let i = 0; i < N / 4; i++) secp256k1VerifyNoble(sig, msg, kp.publicKey);
    const nobleUs = ((performance.now() - n0) * 1000) / (N / 4);
    const checkUs = (c1.user + c1.system) / txs.length;
    const finalizeUs = (f1.user + f1.system) / txs.length;
    return { perTxUs: checkUs + finalizeUs, checkUs, finalizeUs, verifyUs, nobleUs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(args: string[]): Promise<void> {
  const vs = args[args.indexOf("--vs") + 1];
  if (args.includes("--vs")) {
    if (vs !== "simd") throw new Error(`chain --vs: only "simd" is known, not ${vs}`);
    await runVsSimd(args);
    return;
  }
  const total = Number(args.find((a) => a.startsWith("--txs="))?.slice(6) ?? 20000);
  const senderCount = 200;
  console.log("measuring in-process app CPU per tx…");
  const cpu = measureAppCpu(10_000);
  console.log(
    `app CPU: CheckTx ${cpu.checkUs.toFixed(0)} µs + FinalizeBlock ${cpu.finalizeUs.toFixed(0)} µs per tx; secp256k1 verify ${cpu.verifyUs.toFixed(0)} µs`,
  );

  console.log("starting a 4-validator localnet…");
  const net = await startLocalnet({ validators: 4, timeoutCommit: "1s", services: "chain" });
  try {
    const urls = net.rpcUrls;
    const senders = Array.from({ length: senderCount }, (_, i) =>
      secp256k1KeyPair(sha256Native(new TextEncoder().encode(`chain-bench-${Date.now()}-${i}`))),
    );
    console.log(`signing ${total} txs ahead and broadcasting them round-robin to ${urls.length} validators…`);
    const r = await fundAndLoadLocalnet(net, { senders, total, fee: CHAIN_FEE, appRole: "dsdnd" });
    const per = (s: number) => ((s * 1e6) / Math.max(1, r.committed)).toFixed(0);
    const body = `
| figure | value |
| --- | --- |
| validators | 4 (4 cometbft v0.38.26 + 4 dsdnd on the same machine), timeout_commit 1 s |
| transactions | ${r.sent} MsgSend from ${senderCount} distinct senders, signed ahead; ${r.committed} committed, ${r.failed} refused at broadcast |
| broadcast rate (client side) | ${r.broadcastTps.toFixed(0)} tx/s |
| **sustained throughput** | **${r.tps.toFixed(0)} tx/s** (first broadcast → last commit) |
| broadcast → commit latency | p50 ${r.p50Ms.toFixed(0)} ms, p99 ${r.p99Ms.toFixed(0)} ms |
| app CPU per tx (in process, one node) | ${cpu.perTxUs.toFixed(0)} µs = CheckTx ${cpu.checkUs.toFixed(0)} µs + FinalizeBlock ${cpu.finalizeUs.toFixed(0)} µs |
| CPU used during the run, per committed tx | all 4 cometbft ${per(r.cpu.cometbft ?? 0)} µs, all 4 dsdnd ${per(r.cpu.dsdnd ?? 0)} µs, load client ${per(r.clientCpuS)} µs |
| one secp256k1 verification, same run | ${cpu.verifyUs.toFixed(0)} µs with ${secp256k1VerifyEngine} (what the app uses); ${cpu.nobleUs.toFixed(0)} µs with noble (pure JS) |

Every tx is checked by all four validators' CheckTx (the mempool gossips it) and executed by all four in
FinalizeBlock, so on 2 cores the network does ≥ 4× the single-node app work per tx. FinalizeBlock reuses
the signature verification done in CheckTx (a cache of verified (sign bytes, key, signature) triples).`;
    writeBenchSection("chain", "Chain Nusantara: MsgSend throughput (4-validator localnet)", body);
    console.log(body);
  } finally {
    await net.stop();
  }
}
