/** @module The coordinator's audit trail: transitions and DA posts recorded, FallbackActivated published, log mirrored to DA. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ed25519KeyPair } from "../../common/ed25519.js";
import { AuditMirror } from "../audit/mirror.js";
import { verifyAgainstDA, verifyChain } from "../audit/verify.js";
import { openedEvents } from "../da/events/openedEvents.js";
import { EventPublisher } from "../da/events/publisher.js";
import { FallbackRouter } from "../da/fallback/router.js";
import { MemoryDA } from "../da/memoryDA.js";
import { startAuditTrail } from "./auditTrail.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const quiet = { info() {}, warn() {}, error() {} };

describe("coordinator audit trail", () => {
  it("records fallback transitions and DA sequences, publishes FallbackActivated, mirrors the log to DA", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dsdn-trail-"));
    dirs.push(dir);
    const primary = new MemoryDA();
    let clock = 0;
    const router = new FallbackRouter({
      primary,
      journalPath: join(dir, "journal.db"),
      thresholds: { warnLatencyMs: 50, degradedAfterMs: 100, emergencyAfterMs: 200 },
      now: () => clock,
      logger: quiet,
    });
    const secretKey = new Uint8Array(32).fill(3);
    const publisher = await EventPublisher.open({
      da: router,
      secretKey,
      outboxPath: join(dir, "o.db"),
      maxDelayMs: 1,
      logger: quiet,
    });
    const stop = await startAuditTrail({
      dataDir: dir,
      da: router,
      publisher,
      secretKey,
      intervalMs: 30,
      logger: quiet,
    });
    primary.setLatency(80);
    await router.checkHealth(); // healthy → warning (slow)
    primary.setLatency(0);
    clock += 10;
    await router.checkHealth(); // warning → healthy
    await publisher.flush();
    // A mirror round (every 30 ms) has put the first three records on DA: waited for, not a fixed 200 ms that a
    // loaded machine can spend before the first round ends.
    const mirrored = new AuditMirror({ logPath: join(dir, "audit.log"), da: primary, secretKey });
    await vi.waitFor(() => expect(BigInt(mirrored.state().through)).toBeGreaterThanOrEqual(3n), {
      timeout: 20_000,
      interval: 20,
    });
    await stop();
    await publisher.close();
    await router.close();
    const records = verifyChain(readFileSync(join(dir, "audit.log"), "utf8")).records;
    expect(records.filter((r) => r.kind === "fallback_activation").map((r) => `${r.data.from}>${r.data.to}`)).toEqual([
      "healthy>warning",
      "warning>healthy",
    ]);
    expect(records.some((r) => r.kind === "da_sequence")).toBe(true);
    const events: string[] = [];
    for (let h = 1n; h <= (await primary.head()); h++)
      for (const e of openedEvents((await primary.getAll(h)).blobs)) events.push(e.event.type);
    expect(events).toEqual(["fallbackActivated", "fallbackActivated"]);
    const onDA = await verifyAgainstDA(
      records.filter((r) => r.seq <= 3n),
      primary,
      ed25519KeyPair(secretKey).publicKey,
    );
    expect(onDA.matched).toBe(3);
  });
});
