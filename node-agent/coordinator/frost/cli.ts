/**
 * @module `… coordinator frost identity|serve|dkg|sign`: run a FROST participant, drive a DKG or a signing
 * session across committee members over HTTP. Mounted by the node CLI; also runnable via ./main.js.
 */
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { type Command, type CommandGroup, outputOption, toJson, untilSignal } from "../../../common/cli.js";
import { type Ed25519KeyPair, ed25519Verify } from "../../../common/ed25519.js";
import { InvalidArgumentError } from "../../../common/errors.js";
import { bytesEqual, fromHex, toHex } from "../../../common/hash.js";
import { encodeMessage } from "../../../common/protobuf.js";
import { SignedReceipt } from "../../../proto/gen/dsdn/committee/v1/frost.js";
import { loadOrCreateIdentity } from "../../storage/identity.js";
import { FrostCoordinator } from "./coordinator.js";
import { readCommitteeFile, readGroupFile, writeGroupFile } from "./files.js";
import { createFrostServer } from "./httpServer.js";
import { HttpPeerTransport } from "./httpTransport.js";
import { createKeyFile, type KeyShareSecret, KeyShareStore, readKeyFile } from "./keyStore.js";
import { FrostParticipant } from "./participant.js";

const dataOption = { data: { type: "string" } } as const;

function str(v: unknown, flag: string): string {
  if (typeof v !== "string" || v === "") throw new InvalidArgumentError(`${flag} is required`);
  return v;
}

/** Where key shares live and how they are protected: --key-file, --passphrase-file, or $DSDN_FROST_PASSPHRASE. */
async function shareSecret(values: Record<string, unknown>): Promise<KeyShareSecret> {
  if (typeof values["key-file"] === "string") {
    const path = resolve(values["key-file"]);
    if (!existsSync(path)) await createKeyFile(path);
    return { kind: "keyfile", key: await readKeyFile(path) };
  }
  if (typeof values["passphrase-file"] === "string") {
    const passphrase = (await readFile(values["passphrase-file"], "utf8")).replace(/\r?\n$/, "");
    return { kind: "passphrase", passphrase };
  }
  const env = process.env.DSDN_FROST_PASSPHRASE;
  if (env) return { kind: "passphrase", passphrase: env };
  throw new InvalidArgumentError(
    "give --key-file FILE, --passphrase-file FILE or DSDN_FROST_PASSPHRASE to protect key shares",
  );
}

function coordinatorFor(
  identity: Ed25519KeyPair,
  urls: ReadonlyMap<string, string>,
  timeout: unknown,
): FrostCoordinator {
  const timeoutMs = timeout === undefined ? 10_000 : Number(timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
    throw new InvalidArgumentError("--timeout-ms must be a positive integer");
  return new FrostCoordinator({ identity, transport: new HttpPeerTransport(urls), timeoutMs });
}

export const identityCommand: Command = {
  summary: "Print (creating on first use) this member's ed25519 identity key",
  usage: "--data DIR",
  options: { ...dataOption },
  async run({ values, out }) {
    const id = await loadOrCreateIdentity(resolve(str(values.data, "--data")));
    out(id.nodeId);
    return 0;
  },
};

export const serveCommand: Command = {
  summary: "Run this member's FROST participant (HTTP) in the foreground",
  usage: "--data DIR --committee FILE [--host H] [--port P] (--key-file F | --passphrase-file F)",
  options: {
    ...dataOption,
    committee: { type: "string" },
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "7600" },
    "key-file": { type: "string" },
    "passphrase-file": { type: "string" },
  },
  async run({ values, out, err }) {
    const dataDir = resolve(str(values.data, "--data"));
    const committeePath = resolve(str(values.committee, "--committee"));
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError("--port must be 0–65535");
    const identity = await loadOrCreateIdentity(dataDir);
    const store = new KeyShareStore(join(dataDir, "frost"), await shareSecret(values));
    const participant = new FrostParticipant({
      identity,
      store,
      // Only the committee in the file (re-read per DKG, so rotation needs no restart) may run a DKG here.
      authorizeCommittee: async (c) => {
        const f = await readCommitteeFile(committeePath);
        return (
          f.epoch === c.epoch &&
          f.threshold === c.threshold &&
          f.members.length === c.members.length &&
          f.members.every((m, i) => bytesEqual(m, c.members[i]!))
        );
      },
    });
    const app = createFrostServer({
      participant,
      onRefused: (rpc, code, message) => err(`refused ${rpc}: ${code} ${message}`),
    });
    const address = await app.listen({ port, host: String(values.host) });
    out(`frost participant listening on ${address} identity ${identity.nodeId}`);
    await untilSignal();
    await app.close().catch(() => {});
    return 0;
  },
};

export const dkgCommand: Command = {
  summary: "Drive a DKG across the committee (this member orchestrates); writes the group file",
  usage: "--data DIR --committee FILE --out GROUP.json [--timeout-ms MS] [-o json]",
  options: {
    ...dataOption,
    committee: { type: "string" },
    out: { type: "string" },
    "timeout-ms": { type: "string" },
    ...outputOption,
  },
  async run({ values, out }) {
    const identity = await loadOrCreateIdentity(resolve(str(values.data, "--data")));
    const committee = await readCommitteeFile(resolve(str(values.committee, "--committee")));
    const outPath = resolve(str(values.out, "--out"));
    const co = coordinatorFor(identity, committee.urls, values["timeout-ms"]);
    const started = performance.now();
    const res = await co.runDkg(committee);
    const ms = performance.now() - started;
    await writeGroupFile(outPath, res);
    const summary = {
      epoch: res.group.epoch,
      threshold: res.group.threshold,
      members: res.group.members.length,
      groupPublicKey: toHex(res.group.groupPublicKey),
      groupFile: outPath,
      ms: Math.round(ms),
    };
    if (values.output === "json") out(toJson(summary));
    else
      out(
        `DKG ${summary.threshold}-of-${summary.members} epoch ${summary.epoch}: group key ${summary.groupPublicKey} (${summary.ms} ms) → ${outPath}`,
      );
    return 0;
  },
};

export const signCommand: Command = {
  summary: "Threshold-sign bytes with t members; prints the aggregate Ed25519 signature",
  usage:
    "--data DIR --committee FILE --group GROUP.json (--message HEX | --message-file F) [--signers 1,2,3] [--out RECEIPT.bin] [-o json]",
  options: {
    ...dataOption,
    committee: { type: "string" },
    group: { type: "string" },
    message: { type: "string" },
    "message-file": { type: "string" },
    signers: { type: "string" },
    out: { type: "string" },
    "timeout-ms": { type: "string" },
    ...outputOption,
  },
  async run({ values, out }) {
    const identity = await loadOrCreateIdentity(resolve(str(values.data, "--data")));
    const committee = await readCommitteeFile(resolve(str(values.committee, "--committee")));
    const group = await readGroupFile(resolve(str(values.group, "--group")));
    let message: Uint8Array;
    if (typeof values["message-file"] === "string") message = new Uint8Array(await readFile(values["message-file"]));
    else if (typeof values.message === "string" && /^([0-9a-f]{2})*$/.test(values.message))
      message = fromHex(values.message);
    else throw new InvalidArgumentError("give --message HEX (lowercase, even length) or --message-file FILE");
    const signers =
      typeof values.signers === "string" ? values.signers.split(",").map((s) => Number(s.trim())) : undefined;
    const co = coordinatorFor(identity, committee.urls, values["timeout-ms"]);
    const started = performance.now();
    const res = await co.sign({ group, message, ...(signers ? { signers } : {}) });
    const ms = performance.now() - started;
    if (typeof values.out === "string") await writeFile(values.out, encodeMessage(SignedReceipt, res.receipt));
    const summary = {
      signature: toHex(res.signature),
      groupPublicKey: toHex(group.groupPublicKey),
      signers: res.signerIndexes,
      verified: ed25519Verify(res.signature, message, group.groupPublicKey),
      ms: Math.round(ms),
    };
    if (values.output === "json") out(toJson(summary));
    else
      out(
        `signature ${summary.signature} by participants ${summary.signers.join(",")} (verified: ${summary.verified}, ${summary.ms} ms)`,
      );
    return 0;
  },
};

/** The command group the node CLI mounts as `dsdn-node coordinator frost`. */
export const frostCommand: CommandGroup = {
  summary: "FROST threshold signing for the coordinator committee (RFC 9591, Ed25519)",
  commands: {
    identity: async () => identityCommand,
    serve: async () => serveCommand,
    dkg: async () => dkgCommand,
    sign: async () => signCommand,
  },
};
