/**
 * @module `… storage receipt request`: the node side — build a usage proof for one stored workload, get the
 * committee's threshold receipt, write `<receipts-dir>/<id>.json` (claim it with `dsdnd tx receipt claim`),
 * or claim at once with `--claim --operator-mnemonic-file F`. Runnable as `node dist/node-agent/storage/receipts/main.js`.
 */
import { mkdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice, SigningStargateClient } from "@cosmjs/stargate";
import { BROADCAST_POLL_INTERVAL_MS, DEFAULT_GAS_PRICE } from "../../../clients/sdk/client.js";
import { dsdnRegistry } from "../../../clients/sdk/registry.js";
import { type Command, type CommandGroup, outputOption, toJson } from "../../../common/cli.js";
import { InvalidArgumentError } from "../../../common/errors.js";
import { connectReceiptsChain } from "../../coordinator/receipts/chain.js";
import { loadOrCreateIdentity } from "../identity.js";
import { LocalFsStorage } from "../localfs.js";
import { autoClaim, obtainReceipt } from "./requestReceipt.js";

function str(v: unknown, flag: string): string {
  if (typeof v !== "string" || v === "") throw new InvalidArgumentError(`${flag} is required`);
  return v;
}

export const requestCommand: Command = {
  summary: "Prove the chunks of a workload this node holds and obtain the committee's threshold receipt",
  usage:
    "--data DIR --rpc URL --coordinator URL --manifest CID --submitter ADDR --cids CID,CID… [--period-seconds 21600] [--receipts-dir DIR] [--claim --operator-mnemonic-file F] [-o json]",
  options: {
    data: { type: "string" },
    rpc: { type: "string" },
    coordinator: { type: "string" },
    manifest: { type: "string" },
    submitter: { type: "string" },
    cids: { type: "string" },
    "period-seconds": { type: "string", default: "21600" },
    "receipts-dir": { type: "string" },
    claim: { type: "boolean" },
    "operator-mnemonic-file": { type: "string" },
    "gas-price": { type: "string", default: DEFAULT_GAS_PRICE },
    ...outputOption,
  },
  async run({ values, out }) {
    const dataDir = resolve(str(values.data, "--data"));
    const rpcUrl = str(values.rpc, "--rpc");
    const cids = str(values.cids, "--cids")
      .split(",")
      .map((c) => c.trim())
      .filter(Boolean);
    const period = BigInt(str(values["period-seconds"], "--period-seconds"));
    const receiptsDir = resolve(
      typeof values["receipts-dir"] === "string" ? values["receipts-dir"] : join(dataDir, "receipts"),
    );
    await mkdir(receiptsDir, { recursive: true });
    const identity = await loadOrCreateIdentity(dataDir);
    const storage = await LocalFsStorage.open(dataDir);
    const chain = await connectReceiptsChain(rpcUrl);
    try {
      const now = BigInt(Math.floor(Date.now() / 1000));
      const r = await obtainReceipt({
        storage,
        identity,
        chain,
        coordinator: str(values.coordinator, "--coordinator"),
        manifestCid: str(values.manifest, "--manifest"),
        submitter: str(values.submitter, "--submitter"),
        cids,
        periodStart: now - period,
        periodEnd: now,
        receiptsDir,
      });
      let claim: Awaited<ReturnType<typeof autoClaim>> | undefined;
      if (values.claim) {
        const mnemonic = (
          await readFile(str(values["operator-mnemonic-file"], "--operator-mnemonic-file"), "utf8")
        ).trim();
        const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "nusa" });
        const [acc] = await wallet.getAccounts();
        const client = await SigningStargateClient.connectWithSigner(rpcUrl, wallet, {
          registry: dsdnRegistry(),
          gasPrice: GasPrice.fromString(String(values["gas-price"])),
          broadcastPollIntervalMs: BROADCAST_POLL_INTERVAL_MS,
        });
        try {
          claim = await autoClaim(client, acc!.address, r);
        } finally {
          client.disconnect();
        }
      }
      const summary = {
        receiptId: r.receiptId,
        file: r.file,
        ...(claim
          ? { claim: { txhash: claim.txhash, code: claim.code, height: claim.height, rawLog: claim.rawLog } }
          : {}),
      };
      if (values.output === "json") out(toJson(summary));
      else
        out(
          `receipt ${r.receiptId} → ${r.file}${claim ? ` (claim ${claim.code === 0 ? "committed" : `failed: ${claim.rawLog}`} ${claim.txhash})` : ""}`,
        );
      return claim && claim.code !== 0 ? 1 : 0;
    } finally {
      chain.disconnect();
    }
  },
};

/** Node-side receipt commands (mount as `dsdn-node storage-receipt` or run ./main.js). */
export const storageReceiptCommand: CommandGroup = {
  summary: "Storage receipts: usage proofs, committee receipts, auto-claim",
  commands: { request: async () => requestCommand },
};
