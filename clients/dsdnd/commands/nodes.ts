/** @module `dsdnd tx nodes register` and `dsdnd query nodes …` (node, nodes, get-node-class, params): storage node identity on chain. */

import { X509Certificate } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import type { Command, CommandGroup } from "../../../common/cli.js";
import { outputOption, toJson } from "../../../common/cli.js";
import { ed25519KeyPair } from "../../../common/ed25519.js";
import { InvalidArgumentError } from "../../../common/errors.js";
import { fromHex, sha256, toHex } from "../../../common/hash.js";
import { type Node, NodeStatus, nodeStatusFromJSON, nodeStatusToJSON } from "../../../proto/gen/dsdn/nodes/v1/nodes.js";
import { nodeClassToJSON } from "../../../proto/gen/dsdn/stake/v1/stake.js";
import { registerNodeMsg } from "../../sdk/nodes.js";
import { nodeOption } from "../home.js";
import { broadcast, parseNodeClass, withQuery } from "./stake.js";
import { txOptions } from "./tx.js";

/**
 * Reads a node key file — the storage node's own identity file (`<data>/node-key.json`, written by
 * `dsdn-node storage` with mode 0600): `{"type":"ed25519","publicKey":<hex>,"seed":<64 hex>}`.
 */
export function readNodeKeyFile(path: string): { secretKey: Uint8Array; publicKey: Uint8Array } {
  const st = statSync(path);
  if ((st.mode & 0o077) !== 0)
    throw new InvalidArgumentError(`node key ${path} is readable by other users: run chmod 600 ${path}`);
  let j: { type?: string; seed?: string; publicKey?: string };
  try {
    j = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    throw new InvalidArgumentError(`node key ${path} is not valid JSON`);
  }
  if (j.type !== "ed25519" || typeof j.seed !== "string" || !/^[0-9a-f]{64}$/.test(j.seed))
    throw new InvalidArgumentError(`node key ${path} must hold {"type":"ed25519","seed":<64 hex>}`);
  const kp = ed25519KeyPair(fromHex(j.seed));
  if (j.publicKey && j.publicKey !== toHex(kp.publicKey))
    throw new InvalidArgumentError(`node key ${path}: publicKey does not match the seed`);
  return kp;
}

/** sha256 of the DER certificate, from a PEM file (parsed, so a malformed certificate is refused). */
export function certFingerprint(pemPath: string): Uint8Array {
  const cert = new X509Certificate(readFileSync(pemPath));
  return sha256(new Uint8Array(cert.raw));
}

/** A node as JSON with node_id and fingerprint in hex (how the storage network names them). */
export function nodeJson(n: Node) {
  return {
    nodeId: toHex(n.nodeId),
    operator: n.operator,
    tlsCertFingerprint: toHex(n.tlsCertFingerprint),
    zone: n.zone,
    class: nodeClassToJSON(n.class),
    capacityBytes: n.capacityBytes.toString(),
    endpoint: n.endpoint,
    status: nodeStatusToJSON(n.status),
    statusReason: n.statusReason,
    registeredHeight: n.registeredHeight.toString(),
    cooldownUntil: n.cooldownUntil.toString(),
    bannedUntil: n.bannedUntil.toString(),
  };
}

const register: Command = {
  summary: "register a storage node: its key signs the binding to this operator and chain",
  usage:
    "<from> --node-key FILE (--tls-cert PEM | --tls-fingerprint HEX) --zone Z --class regular|data-center --capacity BYTES --endpoint URL",
  options: {
    ...txOptions,
    "node-key": { type: "string" },
    "tls-cert": { type: "string" },
    "tls-fingerprint": { type: "string" },
    zone: { type: "string" },
    class: { type: "string", default: "regular" },
    capacity: { type: "string" },
    endpoint: { type: "string" },
  },
  async run({ positionals, values, out }) {
    const from = positionals[0];
    if (!from) throw new InvalidArgumentError("usage: dsdnd tx nodes register <from> --node-key FILE …");
    for (const f of ["node-key", "zone", "capacity", "endpoint"])
      if (!values[f]) throw new InvalidArgumentError(`--${f} is required`);
    const key = readNodeKeyFile(String(values["node-key"]));
    let fingerprint: Uint8Array;
    if (values["tls-cert"]) fingerprint = certFingerprint(String(values["tls-cert"]));
    else if (values["tls-fingerprint"] && /^[0-9a-fA-F]{64}$/.test(String(values["tls-fingerprint"])))
      fingerprint = fromHex(String(values["tls-fingerprint"]).toLowerCase());
    else
      throw new InvalidArgumentError(
        "give --tls-cert <PEM file> or --tls-fingerprint <64 hex: sha256 of the DER certificate>",
      );
    if (!/^\d+$/.test(String(values.capacity)))
      throw new InvalidArgumentError("--capacity must be an integer number of bytes");
    const cls = parseNodeClass(String(values.class));
    return broadcast(values, out, from, (operator, chainId) => [
      registerNodeMsg({
        chainId,
        operator,
        nodeSecretKey: key.secretKey,
        tlsCertFingerprint: fingerprint,
        zone: String(values.zone),
        class: cls,
        capacityBytes: BigInt(String(values.capacity)),
        endpoint: String(values.endpoint),
      }),
    ]);
  },
};

export const nodesTx: CommandGroup = {
  summary: "node registry transactions",
  commands: { register: async () => register },
};

const qopts = { ...nodeOption, ...outputOption };

const getNodeClass: Command = {
  summary: "the bonded node class of an operator, and its registered node",
  usage: "<address> [--node URL] [-o json]",
  options: qopts,
  run: ({ positionals, values, out }) =>
    withQuery(values, async (q) => {
      const address = positionals[0];
      if (!address) throw new InvalidArgumentError("missing <address>");
      const r = await q.nodes.getNodeClass(address);
      const json = {
        address: r.address,
        class: nodeClassToJSON(r.class),
        registered: r.registered,
        node: r.node ? nodeJson(r.node) : null,
      };
      if (values.output === "json") out(toJson(json));
      else
        out(
          `class: ${json.class}\nregistered: ${r.registered}${r.node ? `\nnode_id: ${json.node!.nodeId}\nstatus: ${json.node!.status} ${r.node.statusReason}` : ""}`,
        );
      return 0;
    }),
};

const node: Command = {
  summary: "one node by node_id (hex)",
  usage: "<node-id-hex> [--node URL] [-o json]",
  options: qopts,
  run: ({ positionals, values, out }) =>
    withQuery(values, async (q) => {
      const id = positionals[0];
      if (!id || !/^[0-9a-fA-F]{64}$/.test(id))
        throw new InvalidArgumentError("<node-id-hex> must be 64 hex characters");
      const n = (await q.nodes.node(fromHex(id.toLowerCase()))).node!;
      out(
        values.output === "json"
          ? toJson(nodeJson(n))
          : `${toHex(n.nodeId)} ${n.operator} ${nodeStatusToJSON(n.status)}`,
      );
      return 0;
    }),
};

const nodes: Command = {
  summary: "registered nodes sorted by node_id, paginated, optionally by status",
  usage: "[--status active|pending|quarantined|banned] [--limit N] [--page-key HEX] [--node URL] [-o json]",
  options: { ...qopts, status: { type: "string" }, limit: { type: "string" }, "page-key": { type: "string" } },
  run: ({ values, out }) =>
    withQuery(values, async (q) => {
      let status = NodeStatus.NODE_STATUS_UNSPECIFIED;
      if (values.status) {
        status = nodeStatusFromJSON(`NODE_STATUS_${String(values.status).toUpperCase()}`);
        if (status <= 0) throw new InvalidArgumentError(`unknown --status "${values.status}"`);
      }
      const r = await q.nodes.nodes({
        key: values["page-key"] ? fromHex(String(values["page-key"])) : undefined,
        limit: values.limit ? BigInt(String(values.limit)) : undefined,
        status,
      });
      if (values.output === "json")
        out(toJson({ nodes: r.nodes.map(nodeJson), nextKey: toHex(r.pagination?.nextKey ?? new Uint8Array()) }));
      else for (const n of r.nodes) out(`${toHex(n.nodeId)}\t${n.operator}\t${n.zone}\t${nodeStatusToJSON(n.status)}`);
      return 0;
    }),
};

const params: Command = {
  summary: "nodes module params (registration limits, the compute scheduler's weights)",
  usage: "[--node URL] [-o json]",
  options: qopts,
  run: ({ values, out }) =>
    withQuery(values, async (q) => {
      const p = await q.nodes.params();
      if (values.output === "json") out(toJson(p));
      else for (const [k, v] of Object.entries(p)) out(`${k}\t${v}`);
      return 0;
    }),
};

export const nodesQuery: CommandGroup = {
  summary: "node registry queries",
  commands: {
    "get-node-class": async () => getNodeClass,
    node: async () => node,
    nodes: async () => nodes,
    params: async () => params,
  },
};
