/** @module Liveness of storage nodes: periodic GET /health probes, a node is dead after failing for a whole window. */
import { fetchRetryingStale } from "../../common/net/staleSocket.js";

export interface ProbeTarget {
  readonly nodeId: string;
  readonly endpoint: string;
}

export interface NodeHealth {
  readonly nodeId: string;
  /** Last probe succeeded (and the node answered with its own id). */
  readonly healthy: boolean;
  /** Failing continuously for at least the dead window. */
  readonly dead: boolean;
  readonly lastOkAt: number | undefined;
  readonly failingSince: number | undefined;
  readonly consecutiveFailures: number;
  /** Exponentially weighted round-trip time of successful probes. */
  readonly latencyMs: number | undefined;
  readonly lastError: string | undefined;
}

export interface HealthMonitorOptions {
  /** Nodes to probe now (re-read every round, so registrations and removals are picked up). */
  readonly targets: () => readonly ProbeTarget[];
  readonly intervalMs?: number;
  /** A node failing for this long (and at least `minFailures` probes) is dead. */
  readonly deadAfterMs?: number;
  readonly minFailures?: number;
  readonly timeoutMs?: number;
  readonly now?: () => number;
  readonly probe?: (t: ProbeTarget, signal: AbortSignal) => Promise<void>;
}

interface Entry {
  healthy: boolean;
  lastOkAt: number | undefined;
  failingSince: number | undefined;
  failures: number;
  latencyMs: number | undefined;
  lastError: string | undefined;
}

/** The default probe: the node's /health must answer 200 with its own node id (a different node there is not it). */
async function httpProbe(t: ProbeTarget, signal: AbortSignal): Promise<void> {
  const res = await fetchRetryingStale(new URL("/health", t.endpoint), () => ({ signal }));
  if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
  const body = (await res.json()) as { nodeId?: string };
  if (body.nodeId !== t.nodeId) throw new Error(`endpoint answers as node ${String(body.nodeId).slice(0, 16)}…`);
}

export class HealthMonitor {
  private readonly o: Required<Omit<HealthMonitorOptions, "targets" | "probe">> & Pick<HealthMonitorOptions, "targets">;
  private readonly probeFn: (t: ProbeTarget, signal: AbortSignal) => Promise<void>;
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;

  constructor(options: HealthMonitorOptions) {
    this.o = {
      targets: options.targets,
      intervalMs: options.intervalMs ?? 2000,
      deadAfterMs: options.deadAfterMs ?? 10_000,
      minFailures: options.minFailures ?? 3,
      timeoutMs: options.timeoutMs ?? 2000,
      now: options.now ?? Date.now,
    };
    this.probeFn = options.probe ?? httpProbe;
  }

  start(): void {
    if (this.timer) return;
    const tick = () => {
      this.round = this.probeAll().finally(() => {
        if (this.timer) this.timer = setTimeout(tick, this.o.intervalMs);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.round;
  }

  /** One probe round over every target (concurrently). */
  async probeAll(): Promise<void> {
    const targets = this.o.targets();
    const live = new Set(targets.map((t) => t.nodeId));
    for (const id of this.entries.keys()) if (!live.has(id)) this.entries.delete(id);
    await Promise.all(targets.map((t) => this.probeOne(t)));
  }

  private async probeOne(t: ProbeTarget): Promise<void> {
    let e = this.entries.get(t.nodeId);
    if (!e) {
      e = {
        healthy: false,
        lastOkAt: undefined,
        failingSince: undefined,
        failures: 0,
        latencyMs: undefined,
        lastError: undefined,
      };
      this.entries.set(t.nodeId, e);
    }
    const started = this.o.now();
    try {
      await this.probeFn(t, AbortSignal.timeout(this.o.timeoutMs));
      const rtt = this.o.now() - started;
      e.latencyMs = e.latencyMs === undefined ? rtt : e.latencyMs * 0.7 + rtt * 0.3;
      e.healthy = true;
      e.lastOkAt = this.o.now();
      e.failingSince = undefined;
      e.failures = 0;
      e.lastError = undefined;
    } catch (err) {
      e.healthy = false;
      e.failingSince ??= started;
      e.failures++;
      e.lastError = (err as Error).message;
    }
  }

  get(nodeId: string): NodeHealth | undefined {
    const e = this.entries.get(nodeId);
    if (!e) return undefined;
    const now = this.o.now();
    const dead =
      !e.healthy &&
      e.failingSince !== undefined &&
      now - e.failingSince >= this.o.deadAfterMs &&
      e.failures >= this.o.minFailures;
    return {
      nodeId,
      healthy: e.healthy,
      dead,
      lastOkAt: e.lastOkAt,
      failingSince: e.failingSince,
      consecutiveFailures: e.failures,
      latencyMs: e.latencyMs,
      lastError: e.lastError,
    };
  }

  /** Probed at least once and the last probe succeeded. */
  isHealthy(nodeId: string): boolean {
    return this.entries.get(nodeId)?.healthy === true;
  }

  isDead(nodeId: string): boolean {
    return this.get(nodeId)?.dead === true;
  }
}
