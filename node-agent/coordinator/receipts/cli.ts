/**
 * @module `dsdn-node coordinator receipts serve`: run a committee member — FROST participant, receipt votes and
 * proposals over HTTP, the epoch seed's ECVRF proof when designated, DKG presence, the epoch's DKG (as
 * participant 1) recorded on chain with the operator's key, issued receipts published to DA as ReceiptIssued.
 * Also runnable as `node dist/node-agent/coordinator/receipts/main.js`.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice, SigningStargateClient } from "@cosmjs/stargate";
import { BROADCAST_POLL_INTERVAL_MS, DEFAULT_GAS_PRICE } from "../../../clients/sdk/client.js";
import { signalDkgPresenceMsg, submitDkgResultMsg, submitEpochSeedMsg } from "../../../clients/sdk/committee.js";
import { dsdnRegistry } from "../../../clients/sdk/registry.js";
import type { Command, CommandGroup } from "../../../common/cli.js";
import { untilSignal } from "../../../common/cli.js";
import { InvalidArgumentError } from "../../../common/errors.js";
import { connectComputeChain } from "../../compute/chain.js";
import { ComputeIndex } from "../../compute/daIndex.js";
import { EventPublisher } from "../../da/events/publisher.js";
import { parseCoordinatorList } from "../../da/replay/config.js";
import { createDALayer, daCliOptions, daOptionsFromCli } from "../../da/replay/createDALayer.js";
import { loadOrCreateIdentity } from "../../storage/identity.js";
import { connectChainView } from "../chainView.js";
import { createKeyFile, type KeyShareSecret, KeyShareStore, readKeyFile } from "../frost/keyStore.js";
import { connectReceiptsChain } from "./chain.js";
import { httpChunkFetcher } from "./chunkFetch.js";
import { CommitteeMember } from "./member.js";
import { createMemberServer, httpReceiptPeers } from "./server.js";

function str(v: unknown, flag: string): string {
  if (typeof v !== "string" || v === "") throw new InvalidArgumentError(`${flag} is required`);
  return v;
}

async function shareSecret(values: Record<string, unknown>): Promise<KeyShareSecret> {
  if (typeof values["key-file"] === "string") {
    const path = resolve(values["key-file"]);
    if (!existsSync(path)) await createKeyFile(path);
    return { kind: "keyfile", key: await readKeyFile(path) };
  }
  if (typeof values["passphrase-file"] === "string")
    return {
      kind: "passphrase",
      passphrase: (await readFile(values["passphrase-file"], "utf8")).replace(/\r?\n$/, ""),
    };
  if (process.env.DSDN_FROST_PASSPHRASE) return { kind: "passphrase", passphrase: process.env.DSDN_FROST_PASSPHRASE };
  throw new InvalidArgumentError(
    "give --key-file FILE, --passphrase-file FILE or DSDN_FROST_PASSPHRASE to protect key shares",
  );
}

export const serveCommand: Command = {
  summary: "Run this coordinator's committee member: FROST, receipt votes/proposals, DKG, ReceiptIssued to DA",
  usage:
    "--data DIR --rpc URL (--key-file F | --passphrase-file F) [--port 7600] [--host 127.0.0.1] [--operator-mnemonic-file F] [--da URL --token-file FILE --namespace HEX [--coordinator KEY]...] [--gas-price 0.025unusa] [--poll-ms 1000]",
  options: {
    data: { type: "string" },
    rpc: { type: "string" },
    port: { type: "string", default: "7600" },
    host: { type: "string", default: "127.0.0.1" },
    "key-file": { type: "string" },
    "passphrase-file": { type: "string" },
    "operator-mnemonic-file": { type: "string" },
    ...daCliOptions,
    // Coordinators whose compute records (WorkloadScheduled, ComputeReported) count; default DSDN_COORDINATOR_KEYS.
    coordinator: { type: "string", multiple: true },
    "gas-price": { type: "string", default: DEFAULT_GAS_PRICE },
    "poll-ms": { type: "string", default: "1000" },
  },
  async run({ values, out, err }) {
    const dataDir = resolve(str(values.data, "--data"));
    const rpcUrl = str(values.rpc, "--rpc");
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError("--port must be 0–65535");
    const pollMs = Number(values["poll-ms"]);
    if (!Number.isInteger(pollMs) || pollMs < 50) throw new InvalidArgumentError("--poll-ms must be an integer ≥ 50");
    const identity = await loadOrCreateIdentity(dataDir);
    const store = new KeyShareStore(join(dataDir, "frost"), await shareSecret(values));
    const chain = await connectReceiptsChain(rpcUrl);
    let submitDkg: ((epoch: bigint, results: readonly Uint8Array[]) => Promise<void>) | undefined;
    let submitSeed: ((epoch: bigint, proof: Uint8Array) => Promise<void>) | undefined;
    let signalPresence: ((epoch: bigint, attempt: number) => Promise<void>) | undefined;
    let signing: SigningStargateClient | undefined;
    if (typeof values["operator-mnemonic-file"] === "string") {
      const mnemonic = (await readFile(values["operator-mnemonic-file"], "utf8")).trim();
      const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "nusa" });
      const [account] = await wallet.getAccounts();
      signing = await SigningStargateClient.connectWithSigner(rpcUrl, wallet, {
        registry: dsdnRegistry(),
        gasPrice: GasPrice.fromString(String(values["gas-price"])),
        broadcastPollIntervalMs: BROADCAST_POLL_INTERVAL_MS,
      });
      const client = signing;
      submitDkg = async (epoch, results) => {
        const r = await client.signAndBroadcast(
          account!.address,
          [submitDkgResultMsg({ signer: account!.address, epoch, results })],
          1.5,
        );
        if (r.code !== 0) throw new Error(`MsgSubmitDkgResult failed with code ${r.code}: ${r.rawLog}`);
      };
      submitSeed = async (epoch, proof) => {
        const r = await client.signAndBroadcast(
          account!.address,
          [submitEpochSeedMsg({ signer: account!.address, epoch, proof })],
          1.5,
        );
        if (r.code !== 0) throw new Error(`MsgSubmitEpochSeed failed with code ${r.code}: ${r.rawLog}`);
      };
      signalPresence = async (epoch, attempt) => {
        const r = await client.signAndBroadcast(
          account!.address,
          [signalDkgPresenceMsg({ signer: account!.address, epoch, attempt })],
          1.5,
        );
        if (r.code !== 0) throw new Error(`MsgSignalDkgPresence failed with code ${r.code}: ${r.rawLog}`);
      };
    }
    let publisher: EventPublisher | undefined;
    let workloads:
      | { index: ComputeIndex; close(): void; chain: Awaited<ReturnType<typeof connectComputeChain>> }
      | undefined;
    if (typeof values.da === "string") {
      const da = await createDALayer(daOptionsFromCli(values));
      publisher = await EventPublisher.open({
        da,
        secretKey: identity.secretKey,
        outboxPath: join(dataDir, "receipts-outbox.sqlite"),
      });
      // Compute receipts are checked against this member's own view of DA's workload records (none: refused).
      const coordinators = Array.isArray(values.coordinator)
        ? (values.coordinator as string[])
        : parseCoordinatorList(process.env.DSDN_COORDINATOR_KEYS);
      if (coordinators.length > 0) {
        const view = await connectChainView(rpcUrl);
        const computeChain = await connectComputeChain(rpcUrl, view);
        const index = ComputeIndex.open({ path: join(dataDir, "compute-index.sqlite"), da, coordinators });
        workloads = {
          index,
          chain: computeChain,
          close: () => {
            index.close();
            computeChain.close();
            view.close();
          },
        };
      }
    }
    const member = new CommitteeMember({
      identity,
      store,
      chain,
      fetcher: httpChunkFetcher(),
      peers: httpReceiptPeers,
      ...(publisher ? { publisher } : {}),
      ...(workloads ? { workloads: { records: workloads.index, chain: workloads.chain } } : {}),
      ...(submitDkg ? { submitDkg } : {}),
      ...(submitSeed ? { submitSeed } : {}),
      ...(signalPresence ? { signalPresence } : {}),
      log: (l) => out(l),
    });
    const app = createMemberServer(member, (route, m) => err(`refused ${route}: ${m}`));
    const address = await app.listen({ port, host: String(values.host) });
    out(`receipt committee member listening on ${address} identity ${identity.nodeId}`);
    let stopping = false;
    const loop = (async () => {
      while (!stopping) {
        await member.tick().catch((e) => err(`committee poll: ${(e as Error).message}`));
        await new Promise((r) => setTimeout(r, pollMs));
      }
    })();
    await untilSignal();
    stopping = true;
    await app.close();
    await loop;
    await publisher?.close();
    workloads?.close();
    signing?.disconnect();
    chain.disconnect();
    return 0;
  },
};

/** The group mounted as `dsdn-node coordinator receipts`. */
export const receiptsCommand: CommandGroup = {
  summary: "The coordinator committee's receipt service (FROST threshold receipts)",
  commands: { serve: async () => serveCommand },
};
