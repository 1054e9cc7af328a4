import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cidForBytes } from "../../common/cid.js";
import { utf8 } from "../../common/encoding.js";
import { secp256k1KeyPair } from "../../common/secp256k1.js";
import { AuditLog } from "../audit/log.js";
import { verifyChain } from "../audit/verify.js";
import { openSiteManifest, signSiteManifest } from "../ingress/siteManifest.js";
import { loadOrCreateIdentity } from "../storage/identity.js";
import { LocalFsStorage } from "../storage/localfs.js";
import { createChunkServer } from "../storage/server.js";
import { assertServable, BlockedError, type BlockInfo, BlockList, isBlocked } from "./blockList.js";
import { type ChainEvent, ComplianceFollower, type ComplianceSource } from "./follower.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "dsdn-compliance-"));
  dirs.push(d);
  return d;
};
const info = (kind: "cid" | "route", value: string, decisionId = "1"): BlockInfo => ({
  kind,
  value,
  reason: "court order",
  proposalId: "2",
  decisionId,
  height: "5",
});
const ev = (type: string, kind: string, value: string, decisionId: string): ChainEvent => ({
  type,
  attributes: [
    { key: "kind", value: kind },
    { key: "value", value },
    { key: "reason", value: `why ${decisionId}` },
    { key: "proposal_id", value: "9" },
    { key: "decision_id", value: decisionId },
  ],
});

/** A chain stand-in: a head that moves and each height's events; the snapshot is whatever was blocked at genesis. */
interface FakeChain {
  head: bigint;
  closed: boolean;
  at(h: bigint, ...e: ChainEvent[]): void;
  source: ComplianceSource;
}
function fakeChain(snapshot: BlockInfo[]): FakeChain {
  const events = new Map<bigint, ChainEvent[]>();
  const chain: FakeChain = {
    head: 10n,
    closed: false,
    at(h, ...e) {
      events.set(h, e);
      if (h > chain.head) chain.head = h;
    },
    source: {
      head: async () => chain.head,
      blocksAt: async (h) => (h === 10n ? snapshot : []),
      eventsAt: async (h) => events.get(h) ?? [],
      close: () => {
        chain.closed = true;
      },
    },
  };
  return chain;
}

describe("BlockList routes", () => {
  it("a route covers itself and what lies under it, in every spelling; never a sibling with the same prefix", () => {
    const l = new BlockList();
    l.add(info("route", "/site/bad"));
    for (const url of [
      "/site/bad",
      "/site/bad/",
      "/site/bad/index.html?x=1",
      "//site//bad",
      "/site/./bad/a",
      "/x/../site/bad",
      "/%73ite/bad",
      "/site%2Fbad",
      "/site/bad#frag",
    ])
      expect(l.routeBlock(url)?.value, url).toBe("/site/bad");
    for (const url of ["/site/badge", "/site", "/", "/site/ba", "/other/site/bad"])
      expect(l.routeBlock(url), url).toBeUndefined();
    l.remove("route", "/site/bad");
    expect(l.routeBlock("/site/bad")).toBeUndefined();
  });
});

describe("site manifests and blocks", () => {
  it("a signed site whose manifest names a forbidden CID is refused whole (the ingress's check); a clean one is served", () => {
    const owner = secp256k1KeyPair();
    const page = (s: string) => ({ path: `${s}.html`, cid: cidForBytes(utf8(s)), size: s.length });
    const open = (files: ReturnType<typeof page>[]) =>
      openSiteManifest(utf8(JSON.stringify(signSiteManifest(files, owner, 1))), cidForBytes(utf8("site")));
    const clean = open([page("index"), page("about")]);
    const tainted = open([page("index"), page("leak")]);
    const list = new BlockList();
    list.add(info("cid", page("leak").cid));
    const cidsOf = (site: typeof clean) => site.files.map((f) => f.cid);
    expect(() => assertServable(list, cidsOf(clean))).not.toThrow();
    expect(() => assertServable(list, cidsOf(tainted))).toThrow(BlockedError);
    list.remove("cid", page("leak").cid);
    expect(() => assertServable(list, cidsOf(tainted))).not.toThrow();
  });
});

describe("ComplianceFollower", () => {
  it("starts from the chain's snapshot, applies each later block's decisions in order, and audits each", async () => {
    const a = cidForBytes(Buffer.from("a"));
    const b = cidForBytes(Buffer.from("b"));
    const chain = fakeChain([info("cid", a)]);
    const logPath = join(tmp(), "audit.log");
    const audit = AuditLog.open(logPath);
    const f = new ComplianceFollower({ source: chain.source, audit });
    await f.init();
    expect(isBlocked(f.list, a)).toBe(true);
    expect(isBlocked(f.list, b)).toBe(false);
    // One block: b blocked and a route blocked; the next: a unblocked (an appeal). Events of other modules ignored.
    chain.at(
      11n,
      ev("compliance_block", "POINTER_KIND_CID", b, "2"),
      { type: "transfer", attributes: [{ key: "amount", value: "1" }] },
      ev("compliance_block", "POINTER_KIND_ROUTE", "/site/x", "3"),
    );
    chain.at(12n, ev("compliance_unblock", "POINTER_KIND_CID", a, "4"));
    await f.poll();
    expect(f.height).toBe(12n);
    expect(isBlocked(f.list, a)).toBe(false);
    expect(f.list.blockOf(b)).toMatchObject({ reason: "why 2", proposalId: "9", decisionId: "2", height: "11" });
    expect(f.list.routeBlock("/site/x/y")?.decisionId).toBe("3");
    // A block and an unblock of the same pointer in one block end unblocked (event order).
    chain.at(
      13n,
      ev("compliance_block", "POINTER_KIND_CID", a, "5"),
      ev("compliance_unblock", "POINTER_KIND_CID", a, "6"),
    );
    await f.poll();
    expect(isBlocked(f.list, a)).toBe(false);
    audit.close();
    const check = verifyChain(readFileSync(logPath, "utf8"));
    expect(check.ok).toBe(true);
    const recs = check.records.map((r) => [r.kind, r.data.action, r.data.value ?? "", r.data.decision_id ?? ""]);
    expect(recs).toEqual([
      ["compliance", "snapshot", "", ""],
      ["compliance", "block", b, "2"],
      ["compliance", "block", "/site/x", "3"],
      ["compliance", "unblock", a, "4"],
      ["compliance", "block", a, "5"],
      ["compliance", "unblock", a, "6"],
    ]);
    await f.stop();
    expect(chain.closed).toBe(true);
  });

  it("a failed read leaves the list as it was and the height unmoved; the next round catches up", async () => {
    const c = cidForBytes(Buffer.from("c"));
    const chain = fakeChain([]);
    const f = new ComplianceFollower({ source: chain.source });
    await f.init();
    chain.at(11n, ev("compliance_block", "POINTER_KIND_CID", c, "1"));
    chain.at(12n);
    const real = chain.source.eventsAt;
    chain.source.eventsAt = async () => {
      throw new Error("rpc down");
    };
    await expect(f.poll()).rejects.toThrow(/rpc down/);
    expect(f.height).toBe(10n);
    chain.source.eventsAt = real;
    await f.poll();
    expect(isBlocked(f.list, c)).toBe(true);
  });
});

describe("storage node serving", () => {
  it("refuses GET and HEAD of a blocked chunk with 451 (bytes stay on disk), serves it again once unblocked", async () => {
    const dir = tmp();
    const storage = await LocalFsStorage.open(dir);
    const data = randomBytes(1000);
    const cid = cidForBytes(data);
    await storage.putChunk(cid, data);
    const list = new BlockList();
    const { app } = createChunkServer({
      authority: "open",
      storage,
      identity: await loadOrCreateIdentity(dir),
      zone: "z",
      compliance: list,
    });
    const url = await app.listen({ port: 0, host: "127.0.0.1" });
    try {
      const first = await fetch(`${url}/chunks/${cid}`);
      expect(first.status).toBe(200);
      await first.arrayBuffer();
      list.add(info("cid", cid));
      const r = await fetch(`${url}/chunks/${cid}`);
      expect(r.status).toBe(451);
      expect(((await r.json()) as { error: { code: string; message: string } }).error).toMatchObject({
        code: "DSDN_BLOCKED",
        message: expect.stringMatching(/court order; appeal/),
      });
      expect((await fetch(`${url}/chunks/${cid}`, { method: "HEAD" })).status).toBe(451);
      expect(await storage.hasChunk(cid)).toBe(true); // never deleted by a block
      list.remove("cid", cid);
      const back = await fetch(`${url}/chunks/${cid}`);
      expect(Buffer.from(await back.arrayBuffer()).equals(data)).toBe(true);
    } finally {
      await app.close();
    }
  });
});
