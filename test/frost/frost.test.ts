/**
 * End to end: FROST participant processes (`main.js serve`) on loopback; DKG 3-of-4 and 5-of-7 driven
 * by the CLI and by the library over HTTP; signing with every 3-subset of 4 and several 5-subsets of 7;
 * a killed member; a restart that reloads its encrypted share; replay and garbage over HTTP.
 * Needs `npm run build` first (the processes run dist/).
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ed25519 } from "@noble/curves/ed25519.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ed25519Verify } from "../../common/ed25519.js";
import { SignedTypes, signMessage } from "../../common/frost/auth.js";
import type { FrostGroupInfo } from "../../common/frost/group.js";
import { fromHex, toHex } from "../../common/hash.js";
import { encodeMessage } from "../../common/protobuf.js";
import { FrostCoordinator } from "../../node-agent/coordinator/frost/coordinator.js";
import { readCommitteeFile, readGroupFile } from "../../node-agent/coordinator/frost/files.js";
import { HttpPeerTransport } from "../../node-agent/coordinator/frost/httpTransport.js";
import {
  frostMainPath,
  type ProcessCluster,
  startProcessCluster,
} from "../../node-agent/coordinator/frost/processCluster.js";
import { SignRequest } from "../../proto/gen/dsdn/committee/v1/frost.js";

const enc = new TextEncoder();

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [frostMainPath(), ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  proc.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((ok) => proc.on("close", (code) => ok({ code: code ?? -1, stdout, stderr })));
}

function subsets(n: number, k: number): number[][] {
  if (k === 0) return [[]];
  if (n < k) return [];
  return [...subsets(n - 1, k), ...subsets(n - 1, k - 1).map((s) => [...s, n])];
}

async function coordinatorOf(cluster: ProcessCluster, index: number, timeoutMs = 15_000): Promise<FrostCoordinator> {
  const committee = await readCommitteeFile(cluster.committeePath);
  return new FrostCoordinator({
    identity: cluster.members[index - 1]!.identity,
    transport: new HttpPeerTransport(committee.urls),
    timeoutMs,
  });
}

beforeAll(() => {
  if (!existsSync(frostMainPath())) throw new Error(`${frostMainPath()} missing: run npm run build first`);
});

describe("FROST 3-of-4 across processes", () => {
  let cluster: ProcessCluster;
  let group: FrostGroupInfo;
  beforeAll(async () => {
    cluster = await startProcessCluster({
      n: 4,
      threshold: 3,
      epoch: 5n,
      protect: "passphrase",
      passphrase: "e2e pass",
    });
  });
  afterAll(() => cluster?.stop());

  it("DKG via the CLI: every member stores an encrypted 0600 share; the group file is signed by all", async () => {
    const groupPath = join(cluster.root, "group.json");
    const r = await cli([
      "dkg",
      "--data",
      cluster.members[0]!.dataDir,
      "--committee",
      cluster.committeePath,
      "--out",
      groupPath,
      "-o",
      "json",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ epoch: "5", threshold: 3, members: 4 });
    group = await readGroupFile(groupPath);
    expect(toHex(group.groupPublicKey)).toBe(summary.groupPublicKey);
    for (const m of cluster.members) {
      const dir = join(m.dataDir, "frost");
      const files = readdirSync(dir).filter((f) => f.endsWith(".share.json"));
      expect(files).toEqual([`frost-e5-${summary.groupPublicKey}.share.json`]);
      expect(statSync(join(dir, files[0]!)).mode & 0o777).toBe(0o600);
    }
  });

  it("signs via the CLI, and via the library with every 3-subset and all four", async () => {
    const message = enc.encode("storage receipt #1");
    const r = await cli([
      "sign",
      "--data",
      cluster.members[1]!.dataDir,
      "--committee",
      cluster.committeePath,
      "--group",
      join(cluster.root, "group.json"),
      "--message",
      toHex(message),
      "--signers",
      "2,3,4",
      "--out",
      join(cluster.root, "receipt.bin"),
      "-o",
      "json",
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ signers: [2, 3, 4], verified: true });
    expect(ed25519Verify(fromHex(out.signature), message, group.groupPublicKey)).toBe(true);
    expect(existsSync(join(cluster.root, "receipt.bin"))).toBe(true);

    const co = await coordinatorOf(cluster, 1);
    for (const signers of [...subsets(4, 3), [1, 2, 3, 4]]) {
      const msg = enc.encode(`receipt signed by ${signers}`);
      const s = await co.sign({ group, message: msg, signers });
      expect(s.signerIndexes).toEqual(signers);
      expect(ed25519.verify(s.signature, msg, group.groupPublicKey)).toBe(true);
      expect(ed25519Verify(s.signature, msg, group.groupPublicKey)).toBe(true);
    }
  });

  it("HTTP: a replayed sign request is refused (409), garbage is refused (400)", async () => {
    const m = cluster.members[0]!;
    const req = signMessage(
      SignedTypes.SignRequest,
      {
        sessionId: randomBytes(32),
        epoch: group.epoch,
        groupPublicKey: group.groupPublicKey,
        message: enc.encode("replay me"),
        expiresAtMs: BigInt(Date.now() + 30_000),
      },
      cluster.members[1]!.identity,
    );
    const post = (body: Uint8Array) =>
      fetch(`${cluster.members[2]!.url}/frost/v1/sign/commit`, {
        method: "POST",
        headers: { "content-type": "application/octet-stream" },
        body,
      });
    expect((await post(encodeMessage(SignRequest, req))).status).toBe(200);
    const again = await post(encodeMessage(SignRequest, req));
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: "DSDN_CONFLICT", message: expect.stringMatching(/replay/) });
    const junk = await post(new Uint8Array([0xff, 0xff, 0xff]));
    expect(junk.status).toBe(400);
    expect(m.log).not.toMatch(/signingShare|passphrase/);
  });

  it("one member killed: 3-of-4 still signs; two killed: a clean Unavailable error naming them", async () => {
    await cluster.kill(4);
    const co = await coordinatorOf(cluster, 1, 3000);
    const msg = enc.encode("with one down");
    const s = await co.sign({ group, message: msg });
    expect(s.signerIndexes).toEqual([1, 2, 3]);
    expect(ed25519Verify(s.signature, msg, group.groupPublicKey)).toBe(true);
    await cluster.kill(3);
    await expect(co.sign({ group, message: msg })).rejects.toMatchObject({
      code: "DSDN_UNAVAILABLE",
      meta: { failed: expect.arrayContaining([3, 4]) },
    });
  });

  it("a restarted member reloads its encrypted share; with the wrong passphrase it refuses clearly", async () => {
    await cluster.start(3, { DSDN_FROST_PASSPHRASE: "wrong pass" });
    const co = await coordinatorOf(cluster, 1, 5000);
    const err = await co.sign({ group, message: enc.encode("x"), signers: [1, 2, 3] }).catch((e) => e);
    expect(err.code).toBe("DSDN_UNAVAILABLE");
    expect(err.details).toMatch(/participant 3: cannot decrypt key share .*wrong passphrase/);
    await cluster.kill(3);
    await cluster.start(3);
    await cluster.start(4);
    const msg = enc.encode("after restart");
    const s = await co.sign({ group, message: msg, signers: [2, 3, 4] });
    expect(ed25519Verify(s.signature, msg, group.groupPublicKey)).toBe(true);
  });
});

describe("FROST 5-of-7 across processes", () => {
  let cluster: ProcessCluster;
  beforeAll(async () => {
    cluster = await startProcessCluster({ n: 7, threshold: 5, epoch: 6n });
  });
  afterAll(() => cluster?.stop());

  it("DKG 5-of-7 and signing with several 5-subsets, one member down", async () => {
    const co = await coordinatorOf(cluster, 3);
    const committee = await readCommitteeFile(cluster.committeePath);
    const dkg = await co.runDkg(committee);
    const group = dkg.group;
    expect(group.verifyingShares).toHaveLength(7);
    const all = subsets(7, 5);
    for (const signers of [all[0]!, all[10]!, all[20]!, [1, 2, 4, 6, 7]]) {
      const msg = enc.encode(`5-of-7 receipt ${signers}`);
      const s = await co.sign({ group, message: msg, signers });
      expect(ed25519Verify(s.signature, msg, group.groupPublicKey)).toBe(true);
    }
    await cluster.kill(5);
    const msg = enc.encode("5-of-7 with one down");
    // On failure, say which members did not answer and why (the error's details), not only how many.
    const s = await co.sign({ group, message: msg }).catch((e: Error & { details?: unknown }) => {
      throw new Error(`${e.message} (${String(e.details)})`, { cause: e });
    });
    expect(s.signerIndexes).not.toContain(5);
    expect(ed25519Verify(s.signature, msg, group.groupPublicKey)).toBe(true);
  });
});
