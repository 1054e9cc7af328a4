/**
 * @module The coordinator's audit trail: its WORM audit log (DA sequences, fallback activations, committee
 * rotations), the FallbackActivated and CommitteeRotated DA events, and the periodic mirror of the log to DA.
 */
import { join } from "node:path";
import { QueryClient } from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import { setupCommitteeExtension } from "../../clients/sdk/committee.js";
import { AuditLog } from "../audit/log.js";
import { AuditMirror } from "../audit/mirror.js";
import { auditChainEvents, auditFallback, auditPublisher } from "../audit/sources.js";
import type { DALogger } from "../da/events/logger.js";
import type { EventPublisher } from "../da/events/publisher.js";
import { announceFallback } from "../da/fallback/announce.js";
import { FallbackRouter } from "../da/fallback/router.js";
import type { DALayer } from "../da/types.js";
import { CommitteeRotationAnnouncer } from "./committeeRotation.js";

type ChainEvent = { readonly type: string; readonly attributes: readonly { key: string; value: string }[] };
interface BlockEvents {
  readonly beginBlockEvents?: readonly ChainEvent[];
  readonly finalizeBlockEvents?: readonly ChainEvent[];
  readonly endBlockEvents?: readonly ChainEvent[];
  readonly results: readonly { readonly code: number; readonly events: readonly ChainEvent[] }[];
}

export interface AuditTrailOptions {
  readonly dataDir: string;
  readonly da: DALayer;
  readonly publisher: EventPublisher;
  /** The coordinator key: it signs the mirror batches (`audit verify --writer <its public key>`). */
  readonly secretKey: Uint8Array;
  /** Chain RPC for committee rotations; without it none are announced. */
  readonly rpcUrl?: string;
  /** How often rotations are checked and the log mirrored (default 30 s). */
  readonly intervalMs?: number;
  readonly logger: DALogger;
}

/** Starts the trail; the returned function stops it (after a last mirror attempt) and closes the log. */
export async function startAuditTrail(o: AuditTrailOptions): Promise<() => Promise<void>> {
  const logPath = join(o.dataDir, "audit.log");
  const audit = AuditLog.open(logPath);
  const stops: (() => void)[] = [auditPublisher(o.publisher, audit)];
  if (o.da instanceof FallbackRouter)
    stops.push(auditFallback(o.da, audit), announceFallback(o.da, o.publisher, o.logger));
  let announcer: CommitteeRotationAnnouncer | undefined;
  let disconnect: (() => void) | undefined;
  let followChain: (() => Promise<void>) | undefined;
  if (o.rpcUrl) {
    const comet = await connectComet(o.rpcUrl);
    disconnect = () => comet.disconnect();
    // Chain events this coordinator follows (slashing, stake changes, self-dealing refusals, rotations, …),
    // from the height it started at; at most 100 blocks per round so a long pause catches up gradually.
    let seen = BigInt((await comet.status()).syncInfo.latestBlockHeight);
    followChain = async () => {
      const head = BigInt((await comet.status()).syncInfo.latestBlockHeight);
      const last = head < seen + 100n ? head : seen + 100n;
      for (let h = seen + 1n; h <= last; h++) {
        // Whichever CometBFT version answers: v0.38 has finalize_block_events, older ones begin/end block events.
        const r = (await comet.blockResults(Number(h))) as unknown as BlockEvents;
        const events = [
          ...(r.beginBlockEvents ?? []),
          ...(r.finalizeBlockEvents ?? []),
          ...(r.endBlockEvents ?? []),
          ...r.results.filter((t) => t.code === 0).flatMap((t) => t.events),
        ];
        auditChainEvents(audit, h, events);
        seen = h; // per height: a failure later in the round never audits a block twice
      }
    };
    const q = QueryClient.withExtensions(comet, setupCommitteeExtension);
    announcer = new CommitteeRotationAnnouncer({
      current: async () => ({
        committee: await q.committee.committee(0n),
        height: BigInt((await comet.status()).syncInfo.latestBlockHeight),
      }),
      publisher: o.publisher,
      audit,
      logger: o.logger,
    });
  }
  const mirror = new AuditMirror({ logPath, da: o.da, secretKey: o.secretKey });
  let running: Promise<void> | undefined;
  const round = async () => {
    await followChain?.().catch((e) =>
      o.logger.warn("chain events not audited this round", { error: (e as Error).message }),
    );
    await announcer
      ?.poll()
      .catch((e) => o.logger.warn("committee rotation check failed", { error: (e as Error).message }));
    await mirror
      .mirrorNow()
      .catch((e) => o.logger.warn("audit mirror to DA failed; retried next round", { error: (e as Error).message }));
  };
  const timer = setInterval(() => {
    running ??= round().finally(() => {
      running = undefined;
    });
  }, o.intervalMs ?? 30_000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
    for (const s of stops) s();
    disconnect?.();
    audit.close();
  };
}
