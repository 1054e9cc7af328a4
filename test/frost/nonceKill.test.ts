/**
 * A member killed (SIGKILL) while refilling its nonce pool — new pairs being made and written, spends racing them —
 * leaves no nonce pair that could sign twice: after a restart every pair it had handed out for a share is gone.
 * Three kills at random points over the same pool file. Needs `npm run build` first (the child runs dist/).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ed25519_FROST } from "@noble/curves/ed25519.js";
import { afterAll, describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../common/hash.js";
import { NoncePool } from "../../node-agent/coordinator/frost/noncePool.js";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const dist = (p: string) => JSON.stringify(join(repo, "dist", p));

/**
 * The member side: refills (2 pairs + fsync) back to back, and spends 2 of its fresh pairs at a time as they come;
 * "spent <hiding‖binding>" is printed once a spend has resolved — the moment a real member computes its share.
 */
const CHILD = `
import { NoncePool } from ${dist("node-agent/coordinator/frost/noncePool.js")};
import { fromHex, toHex } from ${dist("common/hash.js")};
let input = "";
for await (const d of process.stdin) input += d;
const { dir, groupKey, identifier, signingShare } = JSON.parse(input);
const gk = fromHex(groupKey);
const secret = { identifier, signingShare: fromHex(signingShare) };
const pool = new NoncePool(dir);
const ready = [];
(async () => {
  for (;;) {
    process.stdout.write("refill\\n");
    ready.push(...(await pool.make(gk, secret, 2)));
  }
})();
for (;;) {
  const batch = ready.splice(0, 2);
  if (batch.length === 0) {
    await new Promise((r) => setImmediate(r));
    continue;
  }
  await Promise.all(
    batch.map(async (c) => {
      if (await pool.spend(gk, secret, c.hiding, c.binding)) process.stdout.write("spent " + toHex(c.hiding) + toHex(c.binding) + "\\n");
    }),
  );
}
`;

const deal = ed25519_FROST.trustedDealer({ min: 2, max: 3 });
const secret = Object.values(deal.secretShares)[0]!;
const groupKey = deal.public.commitments[0]!;
const dir = mkdtempSync(join(tmpdir(), "dsdn-nonce-kill-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the child until it has reported `spends` spends (plus a random extra moment), kills it, returns what it spent. */
function runAndKill(spends: number, extraMs: number): Promise<string[]> {
  const child = spawn(process.execPath, ["--input-type=module", "-e", CHILD], { stdio: ["pipe", "pipe", "pipe"] });
  const spent: string[] = [];
  let stderr = "";
  let buf = "";
  let killing = false;
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdout.on("data", (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split("\n");
    buf = lines.pop()!;
    for (const l of lines) if (l.startsWith("spent ")) spent.push(l.slice(6));
    if (!killing && spent.length >= spends) {
      killing = true;
      setTimeout(() => child.kill("SIGKILL"), extraMs);
    }
  });
  child.stdin.end(
    JSON.stringify({
      dir,
      groupKey: toHex(groupKey),
      identifier: secret.identifier,
      signingShare: toHex(secret.signingShare),
    }),
  );
  return new Promise((ok, fail) =>
    child.on("close", (_code, signal) => {
      // Lines the child wrote before it died may still be in the pipe: they arrive before "close".
      for (const l of buf.split("\n")) if (l.startsWith("spent ")) spent.push(l.slice(6));
      if (signal !== "SIGKILL") fail(new Error(`child ended by itself: ${stderr}`));
      else ok(spent);
    }),
  );
}

describe("nonce pool: killed during a refill", () => {
  it("no pair handed out for a share is spendable after a restart", async () => {
    const spentEver: string[] = [];
    for (const [spends, extraMs] of [
      [10, 0],
      [25, 3],
      [40, 11],
    ] as const) {
      spentEver.push(...(await runAndKill(spends, extraMs)));
      // The kill never leaves a torn pool file (temp file + rename): it parses as the last complete write.
      const file = JSON.parse(readFileSync(join(dir, `nonces-${toHex(groupKey)}.json`), "utf8"));
      expect(file.format).toBe("dsdn-frost-nonces");
      const restarted = new NoncePool(dir);
      for (const k of spentEver) {
        const hiding = fromHex(k.slice(0, 64));
        const binding = fromHex(k.slice(64));
        expect(restarted.spend(groupKey, secret, hiding, binding), `pair ${k.slice(0, 16)}… came back`).toBeUndefined();
      }
    }
    expect(new Set(spentEver).size).toBe(spentEver.length);
    expect(spentEver.length).toBeGreaterThanOrEqual(75);
  }, 120_000);
});
