/**
 * @module Stage timings of one signing (orchestrator and member side), carried from a member to the orchestrator
 * in a `Server-Timing` header — so a benchmark can say where a receipt signing's milliseconds go.
 */

/** One stage: its name, how long it took (ms) and the CPU time this process spent in it (ms). */
export interface Stage {
  readonly name: string;
  readonly ms: number;
  readonly cpuMs: number;
}

/** Names allowed in a Server-Timing entry (a token); anything else is dropped when parsing. */
const NAME = /^[a-z][a-z0-9_-]{0,31}$/;
/** Entries read from one header at most: a member cannot make the orchestrator collect unbounded data. */
const MAX_ENTRIES = 32;

/** Marks the end of each stage; the duration of a stage is the time since the previous mark. */
export class StageTimer {
  readonly #stages: Stage[] = [];
  #last = performance.now();
  #lastCpu = process.cpuUsage();

  mark(name: string): void {
    const now = performance.now();
    const cpu = process.cpuUsage(this.#lastCpu);
    this.#stages.push({ name, ms: now - this.#last, cpuMs: (cpu.user + cpu.system) / 1000 });
    this.#last = now;
    this.#lastCpu = process.cpuUsage();
  }

  get stages(): readonly Stage[] {
    return this.#stages;
  }

  /** `name;dur=1.234;cpu=0.9, …` for a Server-Timing header (`cpu` is an extension parameter). */
  serverTiming(): string {
    return this.#stages.map((s) => `${s.name};dur=${s.ms.toFixed(3)};cpu=${s.cpuMs.toFixed(3)}`).join(", ");
  }
}

/** Parses a Server-Timing header into stages (bounded; malformed entries are skipped). */
export function parseServerTiming(header: string | null | undefined): Stage[] {
  if (!header) return [];
  const out: Stage[] = [];
  for (const part of header.slice(0, 4096).split(",")) {
    if (out.length >= MAX_ENTRIES) break;
    const [name, ...params] = part.trim().split(";");
    const param = (key: string) => {
      const p = params.map((x) => x.trim()).find((x) => x.startsWith(`${key}=`));
      return p ? Number(p.slice(key.length + 1)) : Number.NaN;
    };
    const ms = param("dur");
    const cpu = param("cpu");
    if (name && NAME.test(name) && Number.isFinite(ms) && ms >= 0) {
      out.push({ name, ms, cpuMs: Number.isFinite(cpu) && cpu >= 0 ? cpu : 0 });
    }
  }
  return out;
}
