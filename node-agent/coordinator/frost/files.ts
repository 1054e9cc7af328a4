/** @module The JSON files the FROST CLI reads and writes: committee (members + URLs) and group (DKG outcome). */
import { readFile, writeFile } from "node:fs/promises";
import { BaseError, ConfigError, ErrorCode } from "../../../common/errors.js";
import { type CommitteeSpec, validateCommittee } from "../../../common/frost/committee.js";
import type { FrostGroupInfo } from "../../../common/frost/group.js";
import { verifyDkgResults } from "../../../common/frost/verify.js";
import { bytesEqual, fromHex, toHex } from "../../../common/hash.js";
import { decodeMessage, encodeMessage } from "../../../common/protobuf.js";
import { DkgResult } from "../../../proto/gen/dsdn/committee/v1/frost.js";
import type { DkgOutcome } from "./coordinator.js";

/** committee.json: `{"epoch": "7", "threshold": 3, "members": [{"identity": "<64 hex>", "url": "http://…"}]}`. */
export interface CommitteeFile extends CommitteeSpec {
  /** identity hex → base URL */
  readonly urls: ReadonlyMap<string, string>;
}

function hex32(v: unknown, field: string): Uint8Array {
  if (typeof v !== "string" || !/^[0-9a-f]{64}$/.test(v))
    throw new ConfigError(field, "must be 64 lowercase hex characters");
  return fromHex(v);
}

async function readJson(path: string, what: string): Promise<any> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new BaseError(ErrorCode.NotFound, `cannot read ${what} ${path}`, { cause: e });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new BaseError(ErrorCode.InvalidConfig, `${what} ${path} is not valid JSON`, { cause: e });
  }
}

export async function readCommitteeFile(path: string): Promise<CommitteeFile> {
  const j = await readJson(path, "committee file");
  if (!Array.isArray(j?.members)) throw new ConfigError("members", "must be a list of {identity, url}");
  const urls = new Map<string, string>();
  const members = j.members.map((m: any, i: number) => {
    const id = hex32(m?.identity, `members[${i}].identity`);
    if (typeof m.url !== "string" || !/^https?:\/\//.test(m.url)) {
      throw new ConfigError(`members[${i}].url`, "must be an http(s) URL");
    }
    urls.set(toHex(id), m.url);
    return id;
  });
  if (!/^\d+$/.test(String(j.epoch ?? ""))) throw new ConfigError("epoch", "must be a non-negative integer");
  const spec = { epoch: BigInt(j.epoch), threshold: Number(j.threshold), members, urls };
  validateCommittee(spec);
  return spec;
}

export function committeeFileJson(spec: CommitteeSpec, urls: readonly string[]): string {
  return `${JSON.stringify(
    {
      epoch: spec.epoch.toString(),
      threshold: spec.threshold,
      members: spec.members.map((m, i) => ({ identity: toHex(m), url: urls[i] })),
    },
    null,
    2,
  )}\n`;
}

/** group.json: the DKG outcome, with every member's signed DkgResult (hex protobuf) as evidence. */
export async function writeGroupFile(path: string, out: DkgOutcome): Promise<void> {
  const g = out.group;
  const body = {
    format: "dsdn-frost-group",
    version: 1,
    sessionId: toHex(out.sessionId),
    epoch: g.epoch.toString(),
    threshold: g.threshold,
    members: g.members.map(toHex),
    groupPublicKey: toHex(g.groupPublicKey),
    verifyingShares: g.verifyingShares.map(toHex),
    commitments: g.commitments.map(toHex),
    results: out.results.map((r) => toHex(encodeMessage(DkgResult, r))),
  };
  await writeFile(path, `${JSON.stringify(body, null, 2)}\n`);
}

/** Reads group.json and checks it against the signed results inside: every member signed these values. */
export async function readGroupFile(path: string): Promise<FrostGroupInfo> {
  const j = await readJson(path, "group file");
  if (j?.format !== "dsdn-frost-group" || j.version !== 1) {
    throw new BaseError(ErrorCode.InvalidConfig, `${path} is not a dsdn-frost-group v1 file`);
  }
  const g: FrostGroupInfo = {
    epoch: BigInt(j.epoch),
    threshold: Number(j.threshold),
    members: (j.members as unknown[]).map((m, i) => hex32(m, `members[${i}]`)),
    groupPublicKey: hex32(j.groupPublicKey, "groupPublicKey"),
    verifyingShares: (j.verifyingShares as unknown[]).map((m, i) => hex32(m, `verifyingShares[${i}]`)),
    commitments: (j.commitments as unknown[]).map((m, i) => hex32(m, `commitments[${i}]`)),
  };
  const results = ((j.results ?? []) as string[]).map((hex, i) =>
    decodeMessage(DkgResult, fromHex(hex), `results[${i}]`),
  );
  const signed = verifyDkgResults(results);
  const same =
    signed.epoch === g.epoch &&
    signed.threshold === g.threshold &&
    bytesEqual(signed.groupPublicKey, g.groupPublicKey) &&
    signed.members.length === g.members.length &&
    signed.members.every((m, k) => bytesEqual(m, g.members[k]!)) &&
    signed.verifyingShares.length === g.verifyingShares.length &&
    signed.verifyingShares.every((v, k) => bytesEqual(v, g.verifyingShares[k]!)) &&
    signed.commitments.length === g.commitments.length &&
    signed.commitments.every((v, k) => bytesEqual(v, g.commitments[k]!));
  if (!same) throw new ConfigError("results", "the signed DKG results do not match the group described in the file");
  return g;
}
