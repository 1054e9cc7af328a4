/**
 * @module Starts a serving node's compliance gate: the chain's blocked list loaded before the node serves
 * (retried while the chain is not up yet), then followed block by block; decisions go to the audit log.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { BaseError, ErrorCode } from "../../common/errors.js";
import { AuditLog } from "../audit/log.js";
import type { BlockedError, ComplianceGate } from "./blockList.js";
import { ComplianceFollower, cometComplianceSource } from "./follower.js";

export interface RunningCompliance {
  readonly gate: ComplianceGate;
  readonly follower: ComplianceFollower;
  /** Records a refusal this node made because of a block (a deployment naming a forbidden CID …). */
  refused(what: string, e: BlockedError): void;
  stop(): Promise<void>;
}

export async function startCompliance(o: {
  readonly rpcUrl: string;
  /** Where decisions are recorded (a WORM audit log file); none when absent. */
  readonly auditPath?: string;
  readonly intervalMs?: number;
  /** How long to keep trying to load the list before giving up (default 60 s). */
  readonly startTimeoutMs?: number;
  readonly log: (line: string) => void;
}): Promise<RunningCompliance> {
  const audit = o.auditPath ? AuditLog.open(o.auditPath) : undefined;
  const deadline = Date.now() + (o.startTimeoutMs ?? 60_000);
  for (let attempt = 1; ; attempt++) {
    try {
      const source = await cometComplianceSource(o.rpcUrl);
      const follower = new ComplianceFollower({
        source,
        ...(audit ? { audit } : {}),
        ...(o.intervalMs !== undefined ? { intervalMs: o.intervalMs } : {}),
        log: o.log,
      });
      await follower.init().catch((e) => {
        source.close();
        throw e;
      });
      follower.start();
      o.log(`compliance: ${follower.list.size} blocked pointer(s) at chain height ${follower.height}; following`);
      return {
        gate: follower.list,
        follower,
        refused(what, e) {
          audit?.append("compliance", {
            action: "refused",
            what: what.slice(0, 1024),
            kind: e.block.kind,
            value: e.block.value,
            decision_id: e.block.decisionId,
          });
        },
        async stop() {
          await follower.stop();
          audit?.close();
        },
      };
    } catch (e) {
      if (Date.now() >= deadline) {
        audit?.close();
        throw new BaseError(ErrorCode.Unavailable, "cannot load the chain's compliance list; not serving without it", {
          cause: e,
        });
      }
      if (attempt === 1) o.log(`compliance: chain not ready (${(e as Error).message}); retrying`);
      await sleep(1000);
    }
  }
}
