/**
 * @module The receipt slots this member's FROST share has signed, per epoch, kept on disk. Signing two
 * different bodies for one slot is equivocation (slashable through MsgReportConflictingReceipts), so the
 * member must remember what it signed across restarts: one append-only file per epoch, each line
 * `<slot hex> <body hash hex>`, fsynced before the share is released. Files of epochs older than the previous
 * one are deleted (their receipts can no longer be claimed, so a second body there harms nobody).
 */
import { mkdir, open, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";

const FILE = /^signed-slots-e(\d+)\.log$/;

export class SignedSlots {
  readonly #epochs = new Map<bigint, Map<string, string>>();

  /** `dir` undefined: memory only (tests). */
  constructor(private readonly dir: string | undefined) {}

  /**
   * Whether this member may sign `body` for `slot` in `epoch`: yes when it signed nothing else there (and it is
   * recorded durably before the answer), or when it signed exactly this body before.
   */
  async claim(epoch: bigint, slot: string, body: string): Promise<boolean> {
    const slots = await this.#load(epoch);
    const prior = slots.get(slot);
    if (prior !== undefined) return prior === body;
    slots.set(slot, body); // before any await: a concurrent request for this slot sees it
    if (this.dir) {
      try {
        await mkdir(this.dir, { recursive: true, mode: 0o700 });
        const f = await open(join(this.dir, `signed-slots-e${epoch}.log`), "a", 0o600);
        try {
          await f.appendFile(`${slot} ${body}\n`);
          await f.sync();
        } finally {
          await f.close();
        }
      } catch {
        slots.delete(slot); // not durable: do not sign
        return false;
      }
    }
    await this.#prune(epoch);
    return true;
  }

  async #load(epoch: bigint): Promise<Map<string, string>> {
    let slots = this.#epochs.get(epoch);
    if (slots) return slots;
    slots = new Map();
    this.#epochs.set(epoch, slots);
    if (this.dir) {
      const text = await readFile(join(this.dir, `signed-slots-e${epoch}.log`), "utf8").catch(() => "");
      for (const line of text.split("\n")) {
        const [slot, body] = line.split(" ");
        if (slot && body && !slots.has(slot)) slots.set(slot, body);
      }
    }
    return slots;
  }

  async #prune(current: bigint): Promise<void> {
    for (const e of this.#epochs.keys()) if (e + 1n < current) this.#epochs.delete(e);
    if (!this.dir) return;
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      const m = FILE.exec(name);
      if (m && BigInt(m[1]!) + 1n < current) await rm(join(this.dir, name), { force: true });
    }
  }
}
