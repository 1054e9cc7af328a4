/**
 * @module `npm run bench -- chain`: sustained MsgSend throughput through a real 4-validator localnet,
 * broadcast→commit latency, and the app's own CPU per tx beside one secp256k1 verification.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { CheckTxType } from "cosmjs-types/tendermint/abci/types";
import { createApp } from "../app/buildApp.js";
import { ChainStore } from "../chain-app/store/index.js";
import { sha256Native, toHex } from "../common/hash.js";
import { keyFromMnemonic } from "../common/mnemonic.js";
import { secp256k1KeyPair, secp256k1Sign, secp256k1Verify, secp256k1VerifyNoble } from "../common/secp256k1.js";
import { buildGenesis } from "../genesis/builder.js";
import { latestHeight, rpc, startLocalnet, waitFor } from "../test/support/localnet.js";
import { addressOf, buildTx, sendMsg } from "../test/support/txBuilder.js";
import { writeBenchSection } from "./report.js";

const CHAIN_FEE = [{ denom: "unusa", amount: "5000" }];

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function procCpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function jsonRpc(url: string, method: string, params: Record<string, unknown>): Promise<any> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: any; error?: any };
  if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

async function accountNumber(url: string, address: string): Promise<bigint> {
  const r = await jsonRpc(url, "abci_query", {
    path: "/cosmos.auth.v1beta1.Query/Account",
    data: Buffer.from(QueryAccountRequest.encode({ address }).finish()).toString("hex"),
  });
  const value = Buffer.from(r.response.value, "base64");
  return BaseAccount.decode(QueryAccountResponse.decode(value).account!.value).accountNumber;
}

/** The app alone, in process: CPU for CheckTx + FinalizeBlock per tx, and one secp256k1 verify. */
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
    const chainId = net.env.CHAIN_ID as string;
    const faucetAcc = net.accounts.find((a) => a.name === "faucet")!;
    const faucet = keyFromMnemonic(faucetAcc.mnemonic);
    const senders = Array.from({ length: senderCount }, (_, i) =>
      secp256k1KeyPair(sha256Native(new TextEncoder().encode(`chain-bench-${Date.now()}-${i}`))),
    );
    // Fund every sender in one multi-message tx from the faucet.
    const fundMsgs = senders.map((k) => sendMsg(faucetAcc.address, addressOf(k), 1_000_000_000n));
    const faucetNum = await accountNumber(urls[0]!, faucetAcc.address);
    const fundTx = buildTx({
      key: faucet,
      chainId,
      accountNumber: faucetNum,
      sequence: 0n,
      msgs: fundMsgs,
      gasLimit: 20_000_000n,
      fee: [{ denom: "unusa", amount: "500000" }],
    });
    const funded = await jsonRpc(urls[0]!, "broadcast_tx_commit", { tx: Buffer.from(fundTx).toString("base64") });
    if (funded.check_tx.code !== 0 || funded.tx_result.code !== 0)
      throw new Error(`funding failed: ${funded.check_tx.log} ${funded.tx_result?.log}`);
    const nums = await Promise.all(senders.map((k) => accountNumber(urls[0]!, addressOf(k))));

    console.log(`signing ${total} txs ahead…`);
    const perSender = Math.ceil(total / senderCount);
    const txs: { b64: string; hash: string }[] = [];
    for (let s = 0; s < perSender; s++) {
      for (const [i, k] of senders.entries()) {
        if (txs.length >= total) break;
        const tx = buildTx({
          key: k,
          chainId,
          accountNumber: nums[i]!,
          sequence: BigInt(s),
          msgs: [sendMsg(addressOf(k), faucetAcc.address, 1n)],
          fee: CHAIN_FEE,
          gasLimit: 200_000n,
        });
        txs.push({ b64: Buffer.from(tx).toString("base64"), hash: toHex(sha256Native(tx)).toUpperCase() });
      }
    }

    const sentAt = new Map<string, number>();
    const committedAt = new Map<string, number>();
    let failed = 0;
    let stopPolling = false;
    let nextHeight = (await latestHeight(urls[0]!)) + 1;
    const poller = (async () => {
      while (!stopPolling) {
        const h = await latestHeight(urls[0]!);
        for (; nextHeight <= h; nextHeight++) {
          const b = await rpc(urls[0]!, "block", { height: String(nextHeight) });
          const now = performance.now();
          for (const t of b.block.data.txs as string[])
            committedAt.set(toHex(sha256Native(Buffer.from(t, "base64"))).toUpperCase(), now);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();

    console.log(`broadcasting ${txs.length} txs round-robin to ${urls.length} validators…`);
    const roles = urls.flatMap((_, i) => [
      { role: "cometbft", pid: net.pid("cometbft", i) },
      { role: "dsdnd", pid: net.pid("dsdnd", i) },
    ]);
    const cpuBefore = roles.map((r) => procCpuSeconds(r.pid));
    const selfBefore = process.cpuUsage();
    const t0 = performance.now();
    // One worker per group of senders, each sender always to the same validator and in sequence
    // order, as a real wallet does (a later sequence sent to another node first would be refused).
    const WORKERS = 32;
    const bySender = new Map<number, typeof txs>();
    txs.forEach((t, i) => {
      const s = i % senderCount;
      bySender.set(s, [...(bySender.get(s) ?? []), t]);
    });
    const worker = async (w: number) => {
      const mine = [...bySender.keys()].filter((s) => s % WORKERS === w);
      for (let round = 0; round < perSender; round++) {
        for (const s of mine) {
          const tx = bySender.get(s)![round];
          if (!tx) continue;
          sentAt.set(tx.hash, performance.now());
          try {
            const r = await jsonRpc(urls[s % urls.length]!, "broadcast_tx_sync", { tx: tx.b64 });
            if (r.code !== 0) {
              failed++;
              if (failed <= 3) console.log(`refused: code ${r.code} ${r.log}`);
            }
          } catch (e) {
            failed++;
            if (failed <= 3) console.log(`broadcast error: ${(e as Error).message}`);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
    const tSent = performance.now();
    await waitFor(async () => committedAt.size >= txs.length - failed, 300_000, "all txs to commit").catch(
      () => undefined,
    );
    stopPolling = true;
    await poller;
    const cpuAfter = roles.map((r) => procCpuSeconds(r.pid));
    const selfCpu = process.cpuUsage(selfBefore);
    const cpuOf = (role: string) =>
      roles.reduce((sum, r, i) => (r.role === role ? sum + (cpuAfter[i]! - cpuBefore[i]!) : sum), 0);
    const committed = txs.filter((t) => committedAt.has(t.hash));
    const tLast = Math.max(...committed.map((t) => committedAt.get(t.hash)!));
    const latencies = committed.map((t) => committedAt.get(t.hash)! - sentAt.get(t.hash)!).sort((a, b) => a - b);
    const tps = committed.length / ((tLast - t0) / 1000);
    const body = `
| figure | value |
| --- | --- |
| validators | 4 (4 cometbft v0.38.26 + 4 dsdnd on the same machine), timeout_commit 1 s |
| transactions | ${txs.length} MsgSend from ${senderCount} distinct senders, signed ahead; ${committed.length} committed, ${failed} refused at broadcast |
| broadcast rate (client side) | ${(txs.length / ((tSent - t0) / 1000)).toFixed(0)} tx/s |
| **sustained throughput** | **${tps.toFixed(0)} tx/s** (first broadcast → last commit) |
| broadcast → commit latency | p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms |
| app CPU per tx (in process, one node) | ${cpu.perTxUs.toFixed(0)} µs = CheckTx ${cpu.checkUs.toFixed(0)} µs + FinalizeBlock ${cpu.finalizeUs.toFixed(0)} µs |
| CPU used during the run, per committed tx | all 4 cometbft ${((cpuOf("cometbft") * 1e6) / Math.max(1, committed.length)).toFixed(0)} µs, all 4 dsdnd ${((cpuOf("dsdnd") * 1e6) / Math.max(1, committed.length)).toFixed(0)} µs, load client ${((selfCpu.user + selfCpu.system) / Math.max(1, committed.length)).toFixed(0)} µs |
| one secp256k1 verification, same run | ${cpu.verifyUs.toFixed(0)} µs with OpenSSL (what the app uses); ${cpu.nobleUs.toFixed(0)} µs with noble (pure JS) |

Every tx is checked by all four validators' CheckTx (the mempool gossips it) and executed by all four in
FinalizeBlock, so on 2 cores the network does ≥ 4× the single-node app work per tx. FinalizeBlock reuses
the signature verification done in CheckTx (a cache of verified (sign bytes, key, signature) triples).`;
    writeBenchSection("chain", "Chain Nusantara: MsgSend throughput (4-validator localnet)", body);
    console.log(body);
  } finally {
    await net.stop();
  }
}
