/**
 * Acknowledged = stored: a storage node SIGKILLed the moment its last ack arrives, then restarted on the same data
 * folder, serves every acknowledged chunk intact and keeps no half-written temp file. (A process kill keeps the page
 * cache, so this checks the order "written, synced, renamed, then acked"; that the fsync comes after every write and
 * background sync is checked in node-agent/storage/localfs.test.ts.)
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NodeClient } from "../../clients/agent/nodeClient.js";
import { cidForBytes } from "../../common/cid.js";
import { killAll, startStorageNode } from "../adversarial/offchain/support/storageNode.js";

const root = mkdtempSync(join(tmpdir(), "dsdn-kill-after-ack-"));
afterAll(async () => {
  await killAll();
  rmSync(root, { recursive: true, force: true });
});

describe("storage node killed right after its acks", () => {
  it("serves every acknowledged chunk intact after a restart", async () => {
    const data = join(root, "node");
    const first = await startStorageNode(data, ["--open-uploads"]);
    // Chunks big enough for background syncs mid-receive (every 8 MiB), sent in parallel as `dsdn upload` does.
    const chunks = [20, 12, 9, 3].map((mib) => randomBytes(mib * 1024 * 1024));
    const client = new NodeClient(first.url, { retries: 0 });
    const acks = await Promise.all(chunks.map((b) => client.put(cidForBytes(b), b)));
    first.proc.kill("SIGKILL");
    await new Promise((r) => first.proc.once("exit", r));
    client.close();
    expect(acks.map((a) => a.cid)).toEqual(chunks.map((b) => cidForBytes(b)));

    const second = await startStorageNode(data, ["--open-uploads"]);
    expect(second.nodeId).toBe(first.nodeId);
    const reader = new NodeClient(second.url, { retries: 0 });
    try {
      for (const b of chunks) expect((await reader.get(cidForBytes(b))).equals(b)).toBe(true);
    } finally {
      reader.close();
    }
    expect(readdirSync(join(data, "tmp"))).toEqual([]);
    await second.stop();
  });
});
