/** @module Background scrubbing: re-hash every stored chunk at a bounded byte rate, quarantining any that rotted. */
import { sleep } from "../da/celestia/backoff.js";
import { ByteRateLimiter } from "./follower/rateLimiter.js";
import type { LocalFsStorage } from "./localfs.js";

export interface ScrubberOptions {
  readonly storage: LocalFsStorage;
  /** Hashing bandwidth, bytes per second (default 16 MiB/s), so reads and uploads keep priority. */
  readonly bytesPerSecond?: number;
  /** Pause between full passes (default 10 min). */
  readonly passIntervalMs?: number;
  readonly onCorrupt?: (cid: string) => void;
}

/**
 * Reads trust a chunk's verified stamp (inode, size, mtime, ctime); bytes that change under an unchanged
 * stamp are caught here, by re-hashing everything in turn.
 */
export class Scrubber {
  private readonly limiter: ByteRateLimiter;
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;
  passes = 0;
  checked = 0;
  corrupt = 0;

  constructor(private readonly o: ScrubberOptions) {
    this.limiter = new ByteRateLimiter(o.bytesPerSecond ?? 16 * 1024 * 1024);
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      try {
        for await (const c of this.o.storage.list()) {
          if (signal.aborted) return;
          await this.limiter.take(c.size, signal);
          if (signal.aborted) return;
          const r = await this.o.storage.verifyChunk(c.cid);
          this.checked++;
          if (r === "corrupt") {
            this.corrupt++;
            this.o.onCorrupt?.(c.cid);
          }
        }
        this.passes++;
      } catch {
        // A file vanishing mid-pass (deleted, quarantined) is not an error worth stopping for.
      }
      // Returns at once when stop() came mid-pass (a listener added after the abort would never fire).
      await sleep(this.o.passIntervalMs ?? 600_000, signal);
    }
  }
}
