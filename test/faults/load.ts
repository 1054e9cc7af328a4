/** @module A steady MsgSend load through unmodified CosmJS, and the exactly-once check of everything it submitted. */
import { randomBytes } from "node:crypto";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { BroadcastTxError, GasPrice, SigningStargateClient, StargateClient } from "@cosmjs/stargate";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { dsdnRegistry } from "../../clients/sdk/registry.js";
import { sha256, toHex } from "../../common/hash.js";
import { toBech32Address } from "../../common/secp256k1.js";
import type { Localnet } from "../support/localnet.js";

export interface LoadResult {
  readonly recipient: string;
  /** Hashes this load signed and handed to a node, per sender address. */
  readonly submitted: ReadonlyMap<string, readonly string[]>;
  /** Each sender's account sequence when the load started. */
  readonly startSequence: ReadonlyMap<string, number>;
  readonly errors: readonly string[];
}

export interface Load {
  /** Txs committed so far (all senders). */
  committed(): number;
  stop(): Promise<LoadResult>;
}

const AMOUNT = 3n;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Each sender signs MsgSends one after another (explicit sequence, unique memo), broadcasts each
 * through `rpcUrls` (trying the next node when one is down) and waits until it is committed.
 */
export async function startLoad(net: Localnet, senders: readonly string[], rpcUrls: readonly string[]): Promise<Load> {
  const recipient = toBech32Address(randomBytes(20));
  const submitted = new Map<string, string[]>();
  const startSequence = new Map<string, number>();
  const errors: string[] = [];
  let running = true;
  let committed = 0;
  const chainId = net.env.CHAIN_ID as string;
  const loops = await Promise.all(
    senders.map(async (name) => {
      const acc = net.accounts.find((a) => a.name === name);
      if (!acc) throw new Error(`no dev account ${name}`);
      const wallet = await DirectSecp256k1HdWallet.fromMnemonic(acc.mnemonic, { prefix: "nusa" });
      const clients = await Promise.all(
        rpcUrls.map((u) =>
          SigningStargateClient.connectWithSigner(u, wallet, {
            registry: dsdnRegistry(),
            gasPrice: GasPrice.fromString(net.env.GAS_PRICE as string),
          }),
        ),
      );
      const first = clients[0] as SigningStargateClient;
      const { accountNumber, sequence } = await first.getSequence(acc.address);
      const mine: string[] = [];
      submitted.set(acc.address, mine);
      startSequence.set(acc.address, sequence);
      // Wrapped in an object: returning the bare promise would make this setup wait for the whole loop.
      const loop = (async () => {
        let seq = sequence;
        let turn = 0;
        while (running) {
          const raw = await first.sign(
            acc.address,
            [
              {
                typeUrl: "/cosmos.bank.v1beta1.MsgSend",
                value: {
                  fromAddress: acc.address,
                  toAddress: recipient,
                  amount: [{ denom: "unusa", amount: `${AMOUNT}` }],
                },
              },
            ],
            { amount: [{ denom: "unusa", amount: "5000" }], gas: "200000" },
            `load ${name} ${seq}`,
            { accountNumber, sequence: seq, chainId },
          );
          const bytes = TxRaw.encode(raw).finish();
          const hash = toHex(sha256(bytes)).toUpperCase();
          mine.push(hash);
          // Hand it to a node (the next one when this one is down) until one accepts it or it is committed.
          const deadline = Date.now() + 90_000;
          let done = false;
          while (!done && Date.now() < deadline) {
            const client = clients[turn++ % clients.length] as SigningStargateClient;
            try {
              if (!(await client.getTx(hash))) await client.broadcastTxSync(bytes);
              done = true;
            } catch (e) {
              const already = /already exists in cache/.test(String((e as Error).message));
              if (already) done = true;
              else if (e instanceof BroadcastTxError) {
                errors.push(`${name} seq ${seq}: CheckTx code ${e.code}: ${e.log}`);
                done = true;
              } else await sleep(500);
            }
          }
          // Wait until committed (looking through any node that answers).
          let found = false;
          while (!found && Date.now() < deadline) {
            const client = clients[turn++ % clients.length] as SigningStargateClient;
            const tx = await client.getTx(hash).catch(() => null);
            if (tx) {
              found = true;
              if (tx.code !== 0) errors.push(`${name} seq ${seq}: committed with code ${tx.code}: ${tx.rawLog}`);
              else committed++;
            } else await sleep(400);
          }
          if (!found) errors.push(`${name} seq ${seq}: ${hash} not committed within 90 s`);
          seq++;
        }
        for (const c of clients) c.disconnect();
      })();
      return { loop };
    }),
  );
  return {
    committed: () => committed,
    async stop() {
      running = false;
      await Promise.all(loops.map((l) => l.loop));
      return { recipient, submitted, startSequence, errors };
    },
  };
}

/**
 * Every submitted tx is committed exactly once: each hash is indexed once with code 0, the sender's
 * sequence moved by exactly the number submitted, and the recipient holds exactly their sum.
 */
export async function checkExactlyOnce(rpcUrl: string, r: LoadResult): Promise<{ txs: number }> {
  const q = await StargateClient.connect(rpcUrl);
  try {
    let total = 0;
    for (const [sender, hashes] of r.submitted) {
      const indexed = (await q.searchTx(`transfer.recipient='${r.recipient}'`)).filter((t) =>
        t.events.some(
          (e) => e.type === "message" && e.attributes.some((a) => a.key === "sender" && a.value === sender),
        ),
      );
      const counts = new Map<string, number>();
      for (const t of indexed) counts.set(t.hash, (counts.get(t.hash) ?? 0) + 1);
      for (const h of hashes) {
        if (counts.get(h) !== 1) throw new Error(`${sender}: tx ${h} indexed ${counts.get(h) ?? 0} times`);
        const tx = await q.getTx(h);
        if (tx?.code !== 0) throw new Error(`${sender}: tx ${h} has code ${tx?.code}`);
      }
      if (indexed.length !== hashes.length)
        throw new Error(`${sender}: ${indexed.length} txs committed to the recipient, ${hashes.length} submitted`);
      const seq = (await q.getSequence(sender)).sequence;
      if (seq !== (r.startSequence.get(sender) ?? -1) + hashes.length)
        throw new Error(`${sender}: sequence ${seq} after ${hashes.length} txs from ${r.startSequence.get(sender)}`);
      total += hashes.length;
    }
    const balance = BigInt((await q.getBalance(r.recipient, "unusa")).amount);
    if (balance !== BigInt(total) * AMOUNT)
      throw new Error(`recipient holds ${balance}unusa, expected ${BigInt(total) * AMOUNT}`);
    return { txs: total };
  } finally {
    q.disconnect();
  }
}
