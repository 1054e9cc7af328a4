/** @module CommitteeRotationAnnouncer: once per epoch after DKG, on DA and in the audit log; replay authorizes the members. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Committee } from "../../proto/gen/dsdn/committee/v1/committee.js";
import { AuditLog } from "../audit/log.js";
import { EventPublisher } from "../da/events/publisher.js";
import { sampleActor } from "../da/events/sampleWorkload.js";
import { MemoryDA } from "../da/memoryDA.js";
import { replayConfig } from "../da/replay/config.js";
import { ReplayMachine } from "../da/replay/machine.js";
import { CommitteeRotationAnnouncer } from "./committeeRotation.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("CommitteeRotationAnnouncer", () => {
  it("announces each epoch once its DKG is recorded; replayers then accept the members as coordinators", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dsdn-rot-"));
    dirs.push(dir);
    const da = new MemoryDA();
    const coord = sampleActor("ann/coordinator");
    const member = sampleActor("ann/member");
    const pub = await EventPublisher.open({
      da,
      secretKey: coord.secretKey,
      outboxPath: join(dir, "outbox.db"),
      maxDelayMs: 1,
      logger: { info() {}, warn() {}, error() {} },
    });
    const audit = AuditLog.open(join(dir, "audit.log"));
    let committee = Committee.fromPartial({
      epoch: 4n,
      members: [{ identityKey: Buffer.from(member.publicKey), operator: "nusa1x" }],
      seed: Buffer.alloc(32, 1),
    });
    const ann = new CommitteeRotationAnnouncer({
      current: async () => ({ committee, height: 77n }),
      publisher: pub,
      audit,
    });
    expect(await ann.poll()).toBeUndefined(); // no group key yet (DKG pending)
    committee = { ...committee, groupPublicKey: Buffer.alloc(32, 9) };
    expect(await ann.poll()).toBe(4n);
    expect(await ann.poll()).toBeUndefined(); // once per epoch
    await pub.flush();
    await pub.close();
    audit.close();
    expect(readFileSync(join(dir, "audit.log"), "utf8")).toMatch(/"kind":"committee_rotation".*"epoch":"4"/);
    const m = new ReplayMachine(replayConfig({ coordinators: [coord.publicKey] }));
    for (let h = 1n; h <= (await da.head()); h++) m.applyHeight(await da.getAll(h));
    expect(m.committee?.epoch).toBe(4n);
    expect(m.committee?.members.map((x) => Buffer.from(x).toString("hex"))).toEqual([member.hex]);
    expect(m.committee?.chainHeight).toBe(77n);
  });
});
