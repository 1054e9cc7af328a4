/** @module The chain benchmarks' load: pre-signed MsgSend broadcast round-robin to a CometBFT network, measuring tx/s, broadcast→commit latency and each process's CPU. */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { sha256Native, toHex } from "../common/hash.js";
import { keyFromMnemonic } from "../common/mnemonic.js";
import { pubKeyToAddress, type Secp256k1KeyPair } from "../common/secp256k1.js";
import { type Localnet, latestHeight, rpc, waitFor } from "../test/support/localnet.js";
import { buildTx, sendMsg } from "../test/support/txBuilder.js";

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
export function procCpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

export async function jsonRpc(url: string, method: string, params: Record<string, unknown>): Promise<any> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: any; error?: any };
  if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

export async function accountNumber(url: string, address: string): Promise<bigint> {
  const r = await jsonRpc(url, "abci_query", {
    path: "/cosmos.auth.v1beta1.Query/Account",
    data: Buffer.from(QueryAccountRequest.encode({ address }).finish()).toString("hex"),
  });
  if (r.response.code) throw new Error(`account ${address}: ${r.response.log}`);
  const value = Buffer.from(r.response.value, "base64");
  return BaseAccount.decode(QueryAccountResponse.decode(value).account!.value).accountNumber;
}

export interface LoadResult {
  readonly sent: number;
  readonly committed: number;
  readonly failed: number;
  readonly broadcastTps: number;
  readonly tps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** broadcast_tx_sync round trip (the client's 32 workers each wait for it, so it bounds the send rate). */
  readonly broadcastP50Ms: number;
  readonly broadcastP99Ms: number;
  /** CPU seconds per role over the run, summed over all validators. */
  readonly cpu: Record<string, number>;
  readonly clientCpuS: number;
}

/**
 * Signs `total` MsgSend ahead (sender i → `recipient`, sequences 0..), then broadcasts them: one worker per
 * group of senders, each sender always to the same validator and in sequence order, as a real wallet does.
 */
export async function runLoad(o: {
  urls: string[];
  chainId: string;
  senders: Secp256k1KeyPair[];
  prefix: string;
  denom: string;
  recipient: string;
  total: number;
  fee: { denom: string; amount: string }[];
  processes: { role: string; pid: number }[];
}): Promise<LoadResult> {
  const { urls, senders } = o;
  const nums = await Promise.all(senders.map((k) => accountNumber(urls[0]!, pubKeyToAddress(k.publicKey, o.prefix))));
  const perSender = Math.ceil(o.total / senders.length);
  const bySender = new Map<number, { b64: string; hash: string }[]>();
  const all: { b64: string; hash: string }[] = [];
  for (let s = 0; s < perSender; s++) {
    for (const [i, k] of senders.entries()) {
      if (all.length >= o.total) break;
      const tx = buildTx({
        key: k,
        chainId: o.chainId,
        accountNumber: nums[i]!,
        sequence: BigInt(s),
        msgs: [sendMsg(pubKeyToAddress(k.publicKey, o.prefix), o.recipient, 1n, o.denom)],
        fee: o.fee,
        gasLimit: 200_000n,
      });
      const t = { b64: Buffer.from(tx).toString("base64"), hash: toHex(sha256Native(tx)).toUpperCase() };
      all.push(t);
      bySender.set(i, [...(bySender.get(i) ?? []), t]);
    }
  }
  const sentAt = new Map<string, number>();
  const committedAt = new Map<string, number>();
  const roundTrips: number[] = [];
  const loadHashes = new Set(all.map((t) => t.hash));
  let failed = 0;
  let stopPolling = false;
  // CometBFT's RPC may close a kept-alive connection under load ("other side closed"): retry, it is transient.
  const retry = async <T>(f: () => Promise<T>): Promise<T> => {
    for (let i = 0; ; i++) {
      try {
        return await f();
      } catch (e) {
        if (i >= 20) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  let nextHeight = (await retry(() => latestHeight(urls[0]!))) + 1;
  const poller = (async () => {
    while (!stopPolling) {
      const h = await retry(() => latestHeight(urls[0]!));
      for (; nextHeight <= h; nextHeight++) {
        const b = await retry(() => rpc(urls[0]!, "block", { height: String(nextHeight) }));
        const now = performance.now();
        for (const t of (b.block.data.txs ?? []) as string[]) {
          const hash = toHex(sha256Native(Buffer.from(t, "base64"))).toUpperCase();
          // Only the load's own txs count: another tx in these blocks must not end the wait for the last ones.
          if (loadHashes.has(hash)) committedAt.set(hash, now);
        }
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const cpuBefore = o.processes.map((r) => procCpuSeconds(r.pid));
  const selfBefore = process.cpuUsage();
  const t0 = performance.now();
  const WORKERS = 32;
  const worker = async (w: number) => {
    const mine = [...bySender.keys()].filter((s) => s % WORKERS === w);
    for (let round = 0; round < perSender; round++) {
      for (const s of mine) {
        const tx = bySender.get(s)![round];
        if (!tx) continue;
        sentAt.set(tx.hash, performance.now());
        try {
          const r = await jsonRpc(urls[s % urls.length]!, "broadcast_tx_sync", { tx: tx.b64 });
          roundTrips.push(performance.now() - sentAt.get(tx.hash)!);
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
  await waitFor(async () => committedAt.size >= all.length - failed, 300_000, "all txs to commit").catch(
    () => undefined,
  );
  stopPolling = true;
  await poller;
  const cpuAfter = o.processes.map((r) => procCpuSeconds(r.pid));
  const selfCpu = process.cpuUsage(selfBefore);
  const cpu: Record<string, number> = {};
  o.processes.forEach((r, i) => {
    cpu[r.role] = (cpu[r.role] ?? 0) + (cpuAfter[i]! - cpuBefore[i]!);
  });
  const committed = all.filter((t) => committedAt.has(t.hash));
  const tLast = Math.max(...committed.map((t) => committedAt.get(t.hash)!));
  const latencies = committed.map((t) => committedAt.get(t.hash)! - sentAt.get(t.hash)!).sort((a, b) => a - b);
  return {
    sent: all.length,
    committed: committed.length,
    failed,
    broadcastTps: all.length / ((tSent - t0) / 1000),
    tps: committed.length / ((tLast - t0) / 1000),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    broadcastP50Ms: percentile(
      roundTrips.sort((a, b) => a - b),
      50,
    ),
    broadcastP99Ms: percentile(roundTrips, 99),
    cpu,
    clientCpuS: (selfCpu.user + selfCpu.system) / 1e6,
  };
}

/**
 * On a DSDN localnet: funds every sender from the faucet in one multi-message tx, then runs the load (each
 * validator's cometbft and dsdnd measured, the app under `appRole`).
 */
export async function fundAndLoadLocalnet(
  net: Localnet,
  o: { senders: Secp256k1KeyPair[]; total: number; fee: { denom: string; amount: string }[]; appRole: string },
): Promise<LoadResult> {
  const urls = net.rpcUrls;
  const chainId = net.env.CHAIN_ID as string;
  const faucetAcc = net.accounts.find((a) => a.name === "faucet")!;
  const fundTx = buildTx({
    key: keyFromMnemonic(faucetAcc.mnemonic),
    chainId,
    accountNumber: await accountNumber(urls[0]!, faucetAcc.address),
    sequence: 0n,
    msgs: o.senders.map((k) => sendMsg(faucetAcc.address, pubKeyToAddress(k.publicKey), 1_000_000_000n)),
    gasLimit: 20_000_000n,
    fee: [{ denom: "unusa", amount: "500000" }],
  });
  const funded = await jsonRpc(urls[0]!, "broadcast_tx_commit", { tx: Buffer.from(fundTx).toString("base64") });
  if (funded.check_tx.code !== 0 || funded.tx_result.code !== 0)
    throw new Error(`funding failed: ${funded.check_tx.log} ${funded.tx_result?.log}`);
  return runLoad({
    urls,
    chainId,
    senders: o.senders,
    prefix: "nusa",
    denom: "unusa",
    recipient: faucetAcc.address,
    total: o.total,
    fee: o.fee,
    processes: urls.flatMap((_, i) => [
      { role: "cometbft", pid: net.pid("cometbft", i) },
      { role: o.appRole, pid: net.pid("dsdnd", i) },
    ]),
  });
}
