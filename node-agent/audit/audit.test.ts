/** @module WORM audit log: hash chain, fsync'd appends, DA mirror, and every way of tampering being caught. */
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ed25519KeyPair } from "../../common/ed25519.js";
import { MemoryDA } from "../da/memoryDA.js";
import { AuditLog } from "./log.js";
import { AuditMirror } from "./mirror.js";
import { encodeMirrorBlob } from "./mirrorBlob.js";
import { auditChainEvents } from "./sources.js";
import { verifyAgainstDA, verifyChain } from "./verify.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function logPath(): string {
  const d = mkdtempSync(join(tmpdir(), "dsdn-audit-"));
  dirs.push(d);
  return join(d, "audit.log");
}
const key = new Uint8Array(32).fill(9);
const writer = ed25519KeyPair(key).publicKey;

function honestLog(n = 12): string {
  const path = logPath();
  const log = AuditLog.open(path, { now: () => 1_700_000_000_000 });
  for (let i = 0; i < n; i++) log.append(i % 2 ? "slashing" : "da_sequence", { i: `${i}`, note: `record ${i}` });
  log.close();
  return path;
}
const verifyFile = (p: string) => verifyChain(readFileSync(p, "utf8"));

describe("audit log hash chain", () => {
  it("an honest log verifies, and reopening continues the chain", () => {
    const path = honestLog(5);
    const log = AuditLog.open(path);
    expect(log.lastSeq).toBe(5n);
    const r = log.append("governance", { proposal: "1" });
    log.close();
    expect(r.seq).toBe(6n);
    const check = verifyFile(path);
    expect(check.ok).toBe(true);
    expect(check.records.length).toBe(6);
    expect(check.records[5]!.prev).toBe(check.records[4]!.hash);
  });

  it("a flipped byte anywhere is caught at the first damaged record", () => {
    const path = honestLog();
    const bytes = readFileSync(path);
    const lines = bytes.toString().split("\n");
    const offset = lines.slice(0, 6).join("\n").length + 1 + lines[6]!.indexOf("record 6") + 7; // the "6"
    bytes[offset] = "7".charCodeAt(0);
    writeFileSync(path, bytes);
    const check = verifyFile(path);
    expect(check.ok).toBe(false);
    expect(check.firstMismatch).toMatch(/^line 7 \(record 7\): hash does not match its contents/);
    expect(() => AuditLog.open(path)).toThrow(/damaged/);
  });

  it("a deleted record is caught (sequence gap), and so is a record moved elsewhere", () => {
    const path = honestLog();
    const lines = readFileSync(path, "utf8").split("\n");
    writeFileSync(path, [...lines.slice(0, 3), ...lines.slice(4)].join("\n"));
    expect(verifyFile(path).firstMismatch).toMatch(/^line 4 \(record 4\): sequence 5/);
    const swapped = [lines[0], lines[2], lines[1], ...lines.slice(3)].join("\n");
    writeFileSync(path, swapped);
    expect(verifyFile(path).ok).toBe(false);
  });

  it("a record re-hashed after editing still breaks the next record's prev link", () => {
    const path = honestLog(4);
    const check = verifyFile(path);
    const r1 = check.records[1]!;
    const forged = AuditLog.open(logPath());
    forged.append(check.records[0]!.kind, check.records[0]!.data);
    const edited = forged.append("slashing", { i: "1", note: "forged" });
    forged.close();
    const lines = readFileSync(path, "utf8").split("\n");
    const editedLine = lines[1]!.replace(r1.hash, edited.hash).replace('"note":"record 1"', '"note":"forged"');
    writeFileSync(path, [lines[0], editedLine, ...lines.slice(2)].join("\n"));
    expect(verifyFile(path).ok).toBe(false);
  });

  it("a torn last line (crash mid-write) is reported and nothing is appended to it", () => {
    const path = honestLog(3);
    const size = readFileSync(path).length;
    truncateSync(path, size - 5);
    expect(verifyFile(path).firstMismatch).toMatch(/torn last record/);
    expect(() => AuditLog.open(path)).toThrow(/damaged/);
  });

  it("non-canonical lines (extra spaces, unknown kind, non-string field) are refused", () => {
    const path = honestLog(1);
    const line = readFileSync(path, "utf8").trimEnd();
    for (const bad of [line.replace('"seq":', '"seq": '), line.replace('"da_sequence"', '"party"')]) {
      writeFileSync(path, `${bad}\n`);
      expect(verifyFile(path).ok).toBe(false);
    }
    const log = AuditLog.open(logPath());
    expect(() => log.append("slashing", { n: 5 as unknown as string })).toThrow(/must be a string/);
    expect(() => log.append("slashing", { big: "x".repeat(2000) })).toThrow(/too long/);
    log.close();
  });

  it("chain events map to audit kinds; unlisted events are not recorded", () => {
    const log = AuditLog.open(logPath());
    const n = auditChainEvents(log, 42n, [
      { type: "slash", attributes: [{ key: "operator", value: "nusa1x" }] },
      { type: "transfer", attributes: [] },
      { type: "committee_selected", attributes: [{ key: "epoch", value: "3" }] },
    ]);
    expect(n).toBe(2);
    const recs = verifyFile(log.path).records;
    log.close();
    expect(recs.map((r) => r.kind)).toEqual(["slashing", "committee_rotation"]);
    expect(recs[0]!.data).toMatchObject({ height: "42", event: "slash", operator: "nusa1x" });
  });
});

describe("audit log mirrored to DA", () => {
  async function mirrored(n = 12) {
    const path = honestLog(n);
    const da = new MemoryDA();
    const mirror = new AuditMirror({ logPath: path, da, secretKey: key, maxBatchRecords: 5 });
    const refs = await mirror.mirrorNow();
    return { path, da, mirror, refs };
  }

  it("100% of local records match DA on an honest run; batches respect the size bound", async () => {
    const { path, da, refs, mirror } = await mirrored();
    expect(refs.length).toBe(3);
    expect(mirror.state().through).toBe("12");
    const res = await verifyAgainstDA(verifyFile(path).records, da, writer);
    expect(res).toMatchObject({ ok: true, local: 12, matched: 12, onDA: 12 });
    expect(await mirror.mirrorNow()).toEqual([]); // nothing new: nothing posted
  });

  it("a local log truncated after mirroring is caught by the DA check", async () => {
    const { path, da } = await mirrored();
    const lines = readFileSync(path, "utf8").split("\n");
    writeFileSync(path, `${lines.slice(0, 9).join("\n")}\n`);
    const local = verifyFile(path);
    expect(local.ok).toBe(true); // the chain alone cannot see a clean tail cut …
    const res = await verifyAgainstDA(local.records, da, writer);
    expect(res.ok).toBe(false); // … DA can
    expect(res.firstMismatch).toMatch(/record 10: on DA but missing locally/);
  });

  it("a record rewritten consistently (whole chain re-hashed) differs from DA", async () => {
    const { path, da } = await mirrored(4);
    const orig = verifyFile(path).records;
    const rewritten = logPath();
    const log = AuditLog.open(rewritten, { now: () => 1_700_000_000_000 });
    for (const r of orig) log.append(r.kind, r.seq === 3n ? { ...r.data, note: "rewritten" } : r.data);
    log.close();
    const res = await verifyAgainstDA(verifyFile(rewritten).records, da, writer);
    expect(res.ok).toBe(false);
    expect(res.firstMismatch).toBe("record 3: differs from the copy on DA");
  });

  it("records never mirrored are reported missing; forged batches (other key, bad signature) are ignored", async () => {
    const path = honestLog(3);
    const da = new MemoryDA();
    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    const other = new Uint8Array(32).fill(1);
    await da.postBlob(encodeMirrorBlob(lines, ed25519KeyPair(other).publicKey, other));
    const forged = encodeMirrorBlob(lines, writer, key);
    forged[forged.length - 1]! ^= 1;
    await da.postBlob(forged);
    const res = await verifyAgainstDA(verifyFile(path).records, da, writer);
    expect(res.ok).toBe(false);
    expect(res.firstMismatch).toBe("record 1: not on DA");
  });

  it("a batch posted twice (crash before the progress file) still verifies", async () => {
    const { path, da, mirror } = await mirrored(6);
    rmSync(`${path}.mirror.json`);
    await mirror.mirrorNow();
    expect((await verifyAgainstDA(verifyFile(path).records, da, writer)).ok).toBe(true);
  });
});
