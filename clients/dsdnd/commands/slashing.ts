/** @module `dsdnd tx slashing …` and `dsdnd query slashing …`: unjail, node fault reports, slashing status. */

import { readFileSync } from "node:fs";
import type { Command, CommandGroup } from "../../../common/cli.js";
import { outputOption, toJson } from "../../../common/cli.js";
import { InvalidArgumentError } from "../../../common/errors.js";
import { fromHex, toHex } from "../../../common/hash.js";
import { NodeFault } from "../../../proto/gen/dsdn/slashing/v1/slashing.js";
import { reportNodeFaultMsg, unjailMsg } from "../../sdk/slashing.js";
import { nodeOption } from "../home.js";
import { broadcast, withQuery } from "./stake.js";
import { txOptions } from "./tx.js";

const unjail: Command = {
  summary: "return a jailed validator to the set after its jail period",
  usage: "<from> [--node URL]",
  options: txOptions,
  async run({ positionals, values, out }) {
    const from = positionals[0];
    if (!from) throw new InvalidArgumentError("usage: dsdnd tx slashing unjail <from>");
    return broadcast(values, out, from, (signer) => [unjailMsg(signer)]);
  },
};

const FAULTS: Record<string, NodeFault> = {
  liveness: NodeFault.NODE_FAULT_LIVENESS,
  "data-corruption": NodeFault.NODE_FAULT_DATA_CORRUPTION,
  "compute-fraud": NodeFault.NODE_FAULT_COMPUTE_FRAUD,
};

const reportNodeFault: Command = {
  summary: "report a storage node fault (only the genesis fault authority, until the committee lands)",
  usage:
    "<from> <node-id-hex> <liveness|data-corruption|compute-fraud> (--evidence TEXT | --evidence-file FILE) [--infraction-height H]",
  options: {
    ...txOptions,
    evidence: { type: "string" },
    "evidence-file": { type: "string" },
    "infraction-height": { type: "string" },
  },
  async run({ positionals, values, out }) {
    const [from, nodeId, fault] = positionals;
    if (!from || !nodeId || !fault)
      throw new InvalidArgumentError("usage: dsdnd tx slashing report-node-fault <from> <node-id> <fault>");
    if (!/^[0-9a-fA-F]{64}$/.test(nodeId)) throw new InvalidArgumentError("<node-id-hex> must be 64 hex characters");
    const f = FAULTS[fault];
    if (f === undefined) throw new InvalidArgumentError(`fault must be one of ${Object.keys(FAULTS).join(", ")}`);
    const evidence = values["evidence-file"]
      ? new Uint8Array(readFileSync(String(values["evidence-file"])))
      : new TextEncoder().encode(String(values.evidence ?? ""));
    if (evidence.length === 0) throw new InvalidArgumentError("--evidence or --evidence-file is required");
    const h = values["infraction-height"];
    if (h !== undefined && !/^[1-9][0-9]{0,18}$/.test(String(h)))
      throw new InvalidArgumentError("--infraction-height must be a positive block height");
    const infractionHeight = h === undefined ? 0n : BigInt(String(h));
    return broadcast(values, out, from, (signer) => [
      reportNodeFaultMsg({ signer, nodeId: fromHex(nodeId.toLowerCase()), fault: f, evidence, infractionHeight }),
    ]);
  },
};

export const slashingTx: CommandGroup = {
  summary: "slashing transactions",
  commands: { unjail: async () => unjail, "report-node-fault": async () => reportNodeFault },
};

const qopts = { ...nodeOption, ...outputOption };

const getSlashingStatus: Command = {
  summary: "jail, tombstone, node cooldown and ban, and offences of an address",
  usage: "<address> [--node URL] [-o json]",
  options: qopts,
  run: ({ positionals, values, out }) =>
    withQuery(values, async (q) => {
      const address = positionals[0];
      if (!address) throw new InvalidArgumentError("missing <address>");
      const r = await q.slashing.getSlashingStatus(address);
      if (values.output === "json")
        out(
          toJson({
            address: r.address,
            jailed: r.jailed,
            tombstoned: r.tombstoned,
            jailedUntil: r.jailedUntil,
            signingInfo: r.signingInfo ?? null,
            inCooldown: r.inCooldown,
            cooldownUntil: r.cooldownUntil,
            banned: r.banned,
            bannedUntil: r.bannedUntil,
            totalSlashed: r.totalSlashed,
            offencesInWindow: r.offencesInWindow,
            offences: r.offences.map((o) => ({
              height: o.height,
              time: o.time,
              kind: o.kind,
              slashed: o.slashed,
              evidenceHash: toHex(o.evidenceHash),
            })),
          }),
        );
      else
        out(
          [
            `jailed: ${r.jailed}${r.tombstoned ? " (tombstoned)" : ""}${r.jailed ? ` until ${r.jailedUntil}` : ""}`,
            `in_cooldown: ${r.inCooldown}${r.cooldownUntil ? ` (until ${r.cooldownUntil})` : ""}`,
            `banned: ${r.banned}${r.bannedUntil ? ` (until ${r.bannedUntil})` : ""}`,
            `total_slashed: ${r.totalSlashed}unusa`,
            `offences: ${r.offences.map((o) => `${o.kind}@${o.height}`).join(", ") || "none"}`,
          ].join("\n"),
        );
      return 0;
    }),
};

const params: Command = {
  summary: "slashing module params",
  usage: "[--node URL]",
  options: qopts,
  run: ({ values, out }) =>
    withQuery(values, async (q) => {
      out(toJson(await q.slashing.params(), values.output === "json" ? undefined : 2));
      return 0;
    }),
};

export const slashingQuery: CommandGroup = {
  summary: "slashing queries",
  commands: { "get-slashing-status": async () => getSlashingStatus, params: async () => params },
};
