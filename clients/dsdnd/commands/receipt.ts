/** @module `dsdnd tx receipt claim <receipt-file-or-id>` and `dsdnd query receipts …`: claim committee receipts, read claims. */

import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { QueryClient } from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import type { Command, CommandGroup } from "../../../common/cli.js";
import { outputOption, toJson } from "../../../common/cli.js";
import { InvalidArgumentError } from "../../../common/errors.js";
import { fromHex, toHex } from "../../../common/hash.js";
import { decodeReceiptData } from "../../../common/receipts/receiptBytes.js";
import { loadOrCreateIdentity } from "../../../node-agent/storage/identity.js";
import { type Claim, claimStatusToJSON, receiptKindToJSON } from "../../../proto/gen/dsdn/receipts/v1/receipts.js";
import {
  claimRewardMsg,
  fundRewardPoolMsg,
  nodeSignReceipt,
  readReceiptFile,
  setupReceiptsExtension,
} from "../../sdk/receipts.js";
import { nodeOption } from "../home.js";
import { broadcast, txOptions } from "./tx.js";

/** A path to a receipt file, or a 64-hex receipt id looked up as `<receipts-dir>/<id>.json`. */
function receiptPath(arg: string, dir: unknown): string {
  if (existsSync(arg)) return resolve(arg);
  if (/^[0-9a-f]{64}$/.test(arg)) {
    const p = join(resolve(typeof dir === "string" ? dir : "receipts"), `${arg}.json`);
    if (existsSync(p)) return p;
    throw new InvalidArgumentError(
      `no receipt file for id ${arg} in ${p.replace(/\/[^/]+$/, "")} (give --receipts-dir)`,
    );
  }
  throw new InvalidArgumentError(`"${arg}" is neither a receipt file nor a 64-hex receipt id`);
}

const claim: Command = {
  summary: "claim the reward of a committee-signed receipt (the node's operator signs)",
  usage: "<receipt-file-or-id> --from KEY [--receipts-dir DIR] [--node-key DIR|node-key.json] [--node URL] [-o json]",
  options: {
    ...txOptions,
    from: { type: "string" },
    "receipts-dir": { type: "string" },
    "node-key": { type: "string" },
  },
  async run({ positionals, values, out }) {
    const arg = positionals[0];
    if (!arg || typeof values.from !== "string")
      throw new InvalidArgumentError("usage: dsdnd tx receipt claim <receipt-file-or-id> --from KEY");
    const file = await readReceiptFile(receiptPath(arg, values["receipts-dir"]));
    let nodeSignature = file.nodeSignature;
    if (!nodeSignature) {
      if (typeof values["node-key"] !== "string")
        throw new InvalidArgumentError(
          "the receipt file has no node signature: give --node-key (the node's data dir or node-key.json)",
        );
      const dir = values["node-key"].endsWith(".json")
        ? resolve(values["node-key"], "..")
        : resolve(values["node-key"]);
      nodeSignature = nodeSignReceipt(file.receipt, (await loadOrCreateIdentity(dir)).secretKey);
    }
    return broadcast(values, out, values.from, (claimant) => [
      claimRewardMsg({ claimant, receipt: file.receipt, nodeSignature }),
    ]);
  },
};

const fundPool: Command = {
  summary: "add unusa to the receipts reward pool (anyone may; deferred compute claims then pay in order)",
  usage: "<amount-unusa> --from KEY [--node URL] [-o json]",
  options: { ...txOptions, from: { type: "string" } },
  async run({ positionals, values, out }) {
    const amount = positionals[0];
    if (!amount || !/^[1-9][0-9]{0,30}$/.test(amount) || typeof values.from !== "string")
      throw new InvalidArgumentError("usage: dsdnd tx receipt fund-pool <amount-unusa> --from KEY");
    return broadcast(values, out, values.from, (depositor) => [
      fundRewardPoolMsg({ depositor, amount: BigInt(amount) }),
    ]);
  },
};

export const receiptTx: CommandGroup = {
  summary: "receipt transactions",
  commands: { claim: async () => claim, "fund-pool": async () => fundPool },
};

const qopts = { ...nodeOption, ...outputOption };

async function withReceipts<T>(
  values: Record<string, unknown>,
  fn: (q: ReturnType<typeof setupReceiptsExtension>) => Promise<T>,
): Promise<T> {
  const comet = await connectComet(String(values.node));
  try {
    return await fn(QueryClient.withExtensions(comet, setupReceiptsExtension));
  } finally {
    comet.disconnect();
  }
}

export const claimJson = (c: Claim) => ({
  receiptId: toHex(c.receiptId),
  kind: receiptKindToJSON(c.kind),
  status: claimStatusToJSON(c.status),
  workloadId: toHex(c.workloadId),
  nodeId: toHex(c.nodeId),
  operator: c.operator,
  submitter: c.submitter,
  epoch: c.epoch.toString(),
  // reward is unusa paid: the receipt's USD value (nano-USD, v2) converted at the oracle price the claim used.
  reward: c.reward,
  rewardUsdNano: c.rewardUsdNano,
  priceNanoUsd: c.priceNanoUsd,
  nodeAmount: c.nodeAmount,
  validatorsAmount: c.validatorsAmount,
  treasuryAmount: c.treasuryAmount,
  claimedHeight: c.claimedHeight.toString(),
  payableHeight: c.payableHeight.toString(),
  paidHeight: c.paidHeight.toString(),
});

const claimQuery: Command = {
  summary: "the chain's record of a claimed receipt (by id, or a receipt file)",
  usage: "<receipt-id-or-file> [--node URL] [-o json]",
  options: qopts,
  run: ({ positionals, values, out, err }) =>
    withReceipts(values, async (q) => {
      const arg = positionals[0];
      if (!arg) throw new InvalidArgumentError("missing <receipt-id-or-file>");
      const id = /^[0-9a-f]{64}$/.test(arg) ? arg : (await readReceiptFile(resolve(arg))).receiptId;
      const c = await q.receipts.claim(fromHex(id));
      if (!c) {
        err(`receipt ${id} has not been claimed`);
        return 1;
      }
      const j = claimJson(c);
      out(
        values.output === "json"
          ? toJson(j)
          : Object.entries(j)
              .map(([k, v]) => `${k}: ${v}`)
              .join("\n"),
      );
      return 0;
    }),
};

const pending: Command = {
  summary: "compute claims waiting out the challenge window",
  usage: "[--node URL] [-o json]",
  options: qopts,
  run: ({ values, out }) =>
    withReceipts(values, async (q) => {
      const list = (await q.receipts.pending()).map(claimJson);
      out(
        values.output === "json"
          ? toJson({ claims: list })
          : list.length
            ? list.map((c) => `${c.receiptId} ${c.reward} payable at ${c.payableHeight}`).join("\n")
            : "(none)",
      );
      return 0;
    }),
};

const affinity: Command = {
  summary: "whether two addresses count as one party for the self-dealing rule",
  usage: "<address-a> <address-b> [--node URL] [-o json]",
  options: qopts,
  run: ({ positionals, values, out }) =>
    withReceipts(values, async (q) => {
      const [a, b] = positionals;
      if (!a || !b) throw new InvalidArgumentError("usage: dsdnd query receipts affinity <a> <b>");
      const r = await q.receipts.affinity(a, b);
      out(values.output === "json" ? toJson(r) : r.affinity ? `affinity: ${r.reason}` : "no affinity");
      return 0;
    }),
};

const params: Command = {
  summary: "receipts module params",
  usage: "[--node URL] [-o json]",
  options: qopts,
  run: ({ values, out }) =>
    withReceipts(values, async (q) => {
      const p = await q.receipts.params();
      out(
        values.output === "json"
          ? toJson(p)
          : Object.entries(p)
              .map(([k, v]) => `${k}: ${v}`)
              .join("\n"),
      );
      return 0;
    }),
};

/** Prints what is inside a receipt file without the chain (decoding only). */
const show: Command = {
  summary: "decode a receipt file (no chain access)",
  usage: "<receipt-file> [-o json]",
  options: { ...outputOption },
  async run({ positionals, values, out }) {
    const arg = positionals[0];
    if (!arg) throw new InvalidArgumentError("missing <receipt-file>");
    const f = await readReceiptFile(resolve(arg));
    const d = decodeReceiptData(f.receipt.receiptData);
    const j = {
      receiptId: f.receiptId,
      epoch: d.epoch.toString(),
      kind: receiptKindToJSON(d.kind),
      workloadId: toHex(d.workloadId),
      nodeId: toHex(d.nodeId),
      submitter: d.submitter,
      sequence: d.sequence.toString(),
      reward: d.reward,
      signers: d.signers,
      usage: {
        chunks: d.usage?.chunks.toString(),
        bytes: d.usage?.bytes.toString(),
        byteSeconds: d.usage?.byteSeconds.toString(),
      },
    };
    out(
      values.output === "json"
        ? toJson(j)
        : Object.entries(j)
            .map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : v}`)
            .join("\n"),
    );
    return 0;
  },
};

export const receiptsQuery: CommandGroup = {
  summary: "receipts queries",
  commands: {
    claim: async () => claimQuery,
    pending: async () => pending,
    affinity: async () => affinity,
    params: async () => params,
    show: async () => show,
  },
};
