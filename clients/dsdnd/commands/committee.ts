/** @module `dsdnd tx committee …` and `dsdnd query committee …`: coordinator registration, DKG results, disputes, committees. */

import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { QueryClient } from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import type { Command, CommandGroup } from "../../../common/cli.js";
import { outputOption, toJson } from "../../../common/cli.js";
import { InvalidArgumentError } from "../../../common/errors.js";
import { fromHex, toHex } from "../../../common/hash.js";
import { loadOrCreateIdentity } from "../../../node-agent/storage/identity.js";
import { type Committee, committeeStatusToJSON } from "../../../proto/gen/dsdn/committee/v1/committee.js";
import { ThresholdReceipt } from "../../../proto/gen/dsdn/receipts/v1/receipts.js";
import {
  deregisterCoordinatorMsg,
  registerCoordinatorMsg,
  reportConflictingReceiptsMsg,
  reportUnauthorizedSignerMsg,
  setupCommitteeExtension,
  submitDkgResultMsg,
} from "../../sdk/committee.js";
import { readReceiptFile } from "../../sdk/receipts.js";
import { nodeOption } from "../home.js";
import { broadcast, txOptions } from "./tx.js";

const receiptBytes = async (path: string) =>
  ThresholdReceipt.encode((await readReceiptFile(resolve(path))).receipt).finish();

const register: Command = {
  summary: "register (or update) the coordinator this validator operator runs: its identity key and endpoint",
  usage: "<from> --identity DIR (the coordinator's data dir with node-key.json) --endpoint URL",
  options: { ...txOptions, identity: { type: "string" }, endpoint: { type: "string" } },
  async run({ positionals, values, out }) {
    const from = positionals[0];
    if (!from || typeof values.identity !== "string" || typeof values.endpoint !== "string")
      throw new InvalidArgumentError(
        "usage: dsdnd tx committee register-coordinator <from> --identity DIR --endpoint URL",
      );
    const dir = values.identity.endsWith(".json") ? resolve(values.identity, "..") : resolve(values.identity);
    const identity = await loadOrCreateIdentity(dir);
    const endpoint = values.endpoint;
    return broadcast(values, out, from, (signer, chainId) => [
      registerCoordinatorMsg({ signer, chainId, identity, endpoint }),
    ]);
  },
};

const deregister: Command = {
  summary: "stop being a committee candidate (a sitting member serves out its epoch)",
  usage: "<from>",
  options: txOptions,
  async run({ positionals, values, out }) {
    const from = positionals[0];
    if (!from) throw new InvalidArgumentError("usage: dsdnd tx committee deregister-coordinator <from>");
    return broadcast(values, out, from, (signer) => [deregisterCoordinatorMsg(signer)]);
  },
};

const submitDkg: Command = {
  summary: "record a DKG outcome from a FROST group file (every member's signed DkgResult inside)",
  usage: "<from> <group.json>",
  options: txOptions,
  async run({ positionals, values, out }) {
    const [from, path] = positionals;
    if (!from || !path) throw new InvalidArgumentError("usage: dsdnd tx committee submit-dkg <from> <group.json>");
    const g = JSON.parse(await readFile(resolve(path), "utf8")) as { epoch: string; results: string[] };
    if (!Array.isArray(g.results))
      throw new InvalidArgumentError(`${path} has no "results" (a dsdn-frost-group file is expected)`);
    return broadcast(values, out, from, (signer) => [
      submitDkgResultMsg({ signer, epoch: BigInt(g.epoch), results: g.results.map(fromHex) }),
    ]);
  },
};

const reportConflict: Command = {
  summary: "report two conflicting threshold receipts (same workload/node/epoch/sequence, different bytes)",
  usage: "<from> <receipt-a-file> <receipt-b-file>",
  options: txOptions,
  async run({ positionals, values, out }) {
    const [from, a, b] = positionals;
    if (!from || !a || !b)
      throw new InvalidArgumentError("usage: dsdnd tx committee report-conflict <from> <receipt-a> <receipt-b>");
    const receiptA = await receiptBytes(a);
    const receiptB = await receiptBytes(b);
    return broadcast(values, out, from, (signer) => [reportConflictingReceiptsMsg({ signer, receiptA, receiptB })]);
  },
};

const reportUnauthorized: Command = {
  summary: "report a receipt a committee signed without authority (wrong epoch/chain, malformed signer list)",
  usage: "<from> <receipt-file> --epoch N (the committee whose key signed it)",
  options: { ...txOptions, epoch: { type: "string" } },
  async run({ positionals, values, out }) {
    const [from, file] = positionals;
    if (!from || !file || typeof values.epoch !== "string" || !/^\d+$/.test(values.epoch))
      throw new InvalidArgumentError("usage: dsdnd tx committee report-unauthorized <from> <receipt-file> --epoch N");
    const receipt = await receiptBytes(file);
    const committeeEpoch = BigInt(values.epoch);
    return broadcast(values, out, from, (signer) => [reportUnauthorizedSignerMsg({ signer, receipt, committeeEpoch })]);
  },
};

export const committeeTx: CommandGroup = {
  summary: "committee transactions",
  commands: {
    "register-coordinator": async () => register,
    "deregister-coordinator": async () => deregister,
    "submit-dkg": async () => submitDkg,
    "report-conflict": async () => reportConflict,
    "report-unauthorized": async () => reportUnauthorized,
  },
};

const qopts = { ...nodeOption, ...outputOption };

async function withCommittee<T>(
  values: Record<string, unknown>,
  fn: (q: ReturnType<typeof setupCommitteeExtension>) => Promise<T>,
): Promise<T> {
  const comet = await connectComet(String(values.node));
  try {
    return await fn(QueryClient.withExtensions(comet, setupCommitteeExtension));
  } finally {
    comet.disconnect();
  }
}

export const committeeJson = (c: Committee) => ({
  epoch: c.epoch.toString(),
  status: committeeStatusToJSON(c.status),
  startHeight: c.startHeight.toString(),
  endHeight: c.endHeight.toString(),
  threshold: c.threshold,
  members: c.members.map((m, i) => ({
    index: i + 1,
    operator: m.operator,
    identityKey: toHex(m.identityKey),
    endpoint: m.endpoint,
    weight: m.weight,
    vrfPublicKey: toHex(m.vrfPublicKey),
  })),
  seed: toHex(c.seed),
  anchor: toHex(c.anchor),
  vrfProof: toHex(c.vrfProof),
  seedProducer: c.seedProducer,
  dkgAttempt: c.dkgAttempt,
  dkgDeadline: c.dkgDeadline.toString(),
  dkgPresent: c.dkgPresent,
  absent: c.absent,
  prevCommitteeHash: toHex(c.prevCommitteeHash),
  committeeHash: toHex(c.committeeHash),
  groupPublicKey: toHex(c.groupPublicKey),
  verifyingShares: c.verifyingShares.map(toHex),
  dkgHeight: c.dkgHeight.toString(),
});

const show: Command = {
  summary: "a committee (default: the current epoch's)",
  usage: "[epoch] [--node URL] [-o json]",
  options: qopts,
  run: ({ positionals, values, out, err }) =>
    withCommittee(values, async (q) => {
      const c = await q.committee.committee(positionals[0] ? BigInt(positionals[0]) : 0n);
      if (!c) {
        err("no committee");
        return 1;
      }
      const j = committeeJson(c);
      if (values.output === "json") out(toJson(j));
      else
        out(
          [
            `epoch ${j.epoch} (${j.status}) heights ${j.startHeight}..${j.endHeight} threshold ${j.threshold}-of-${j.members.length}`,
            ...j.members.map((m) => `  ${m.index}. ${m.operator} ${m.identityKey} ${m.endpoint} weight ${m.weight}`),
            `group key ${j.groupPublicKey || "(pending DKG)"}`,
          ].join("\n"),
        );
      return 0;
    }),
};

const epoch: Command = {
  summary: "the current epoch, its heights and the end of the previous committee's handoff",
  usage: "[--node URL] [-o json]",
  options: qopts,
  run: ({ values, out }) =>
    withCommittee(values, async (q) => {
      const e = await q.committee.epoch();
      const j = {
        currentEpoch: e.currentEpoch.toString(),
        startHeight: e.startHeight.toString(),
        endHeight: e.endHeight.toString(),
        handoffEndHeight: e.handoffEndHeight.toString(),
        previousEpoch: e.previousEpoch.toString(),
      };
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

const candidates: Command = {
  summary: "registered coordinators (committee candidates)",
  usage: "[--node URL] [-o json]",
  options: qopts,
  run: ({ values, out }) =>
    withCommittee(values, async (q) => {
      const list = (await q.committee.candidates()).map((c) => ({
        operator: c.operator,
        identityKey: toHex(c.identityKey),
        endpoint: c.endpoint,
        registeredHeight: c.registeredHeight.toString(),
        vrfPublicKey: toHex(c.vrfPublicKey),
      }));
      out(
        values.output === "json"
          ? toJson({ candidates: list })
          : list.map((c) => `${c.operator} ${c.identityKey} ${c.endpoint}`).join("\n") || "(none)",
      );
      return 0;
    }),
};

const seedRequest: Command = {
  summary: "the open request for the next epoch's seed: input, producers in slot order, withholders penalised",
  usage: "[--node URL] [-o json]",
  options: qopts,
  run: ({ values, out }) =>
    withCommittee(values, async (q) => {
      const r = await q.committee.seedRequest();
      const j = r && {
        epoch: r.epoch.toString(),
        prevSeed: toHex(r.prevSeed),
        openedAt: r.openedAt.toString(),
        producers: r.producers.map((m) => m.operator),
        penalised: r.penalised,
        pool: r.pool.map((m) => ({ operator: m.operator, weight: m.weight })),
      };
      out(
        values.output === "json"
          ? toJson({ request: j ?? null })
          : j
            ? `epoch ${j.epoch} opened at ${j.openedAt}; producers ${j.producers.join(", ")}; ${j.penalised} withheld`
            : "(no open seed request)",
      );
      return 0;
    }),
};

const params: Command = {
  summary: "committee module params",
  usage: "[--node URL] [-o json]",
  options: qopts,
  run: ({ values, out }) =>
    withCommittee(values, async (q) => {
      const p = await q.committee.params();
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

export const committeeQuery: CommandGroup = {
  summary: "committee queries",
  commands: {
    show: async () => show,
    epoch: async () => epoch,
    candidates: async () => candidates,
    "seed-request": async () => seedRequest,
    params: async () => params,
  },
};
