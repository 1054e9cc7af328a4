/** @module A participant's HTTP face: `POST /frost/v1/<rpc>` with protobuf bodies, errors as `{code, message}` JSON. */

import Fastify, { type FastifyInstance } from "fastify";
import { ErrorCode, isBaseError } from "../../../common/errors.js";
import { toHex } from "../../../common/hash.js";
import { applyServiceLimits, serverTimeouts } from "../../http/serviceLimits.js";
import type { FrostParticipant } from "./participant.js";
import { dispatchFrostRpc, FROST_RPCS } from "./rpc.js";
import { StageTimer } from "./stages.js";

/** Round messages are small (a 7-member DKG bundle is a few KiB); receipts stay well under this. */
export const FROST_MAX_BODY = 1024 * 1024;

const STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.InvalidArgument]: 400,
  [ErrorCode.Decode]: 400,
  [ErrorCode.Unauthorized]: 403,
  [ErrorCode.InvalidSignature]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.Integrity]: 422,
  [ErrorCode.TooLarge]: 413,
  [ErrorCode.Unavailable]: 503,
  [ErrorCode.Timeout]: 504,
};

export interface FrostServerOptions {
  readonly participant: FrostParticipant;
  readonly maxBodyBytes?: number;
  /** Called for every refused request (never with key material), e.g. to log it. */
  readonly onRefused?: (rpc: string, code: string, message: string) => void;
}

export function createFrostServer(opts: FrostServerOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: opts.maxBodyBytes ?? FROST_MAX_BODY, ...serverTimeouts() });
  applyServiceLimits(app);
  app.addContentTypeParser("application/octet-stream", { parseAs: "buffer" }, (_req, body, done) => done(null, body));
  app.get("/frost/v1/identity", async () => ({ identity: toHex(opts.participant.publicKey) }));
  for (const rpc of FROST_RPCS) {
    app.post(`/frost/v1/${rpc}`, async (req, reply) => {
      if (!Buffer.isBuffer(req.body)) {
        return reply
          .code(415)
          .send({ code: ErrorCode.InvalidArgument, message: "send the protobuf body as application/octet-stream" });
      }
      try {
        const timer = new StageTimer();
        const out = await dispatchFrostRpc(opts.participant, rpc, new Uint8Array(req.body), timer);
        timer.mark("encode");
        // Stage timings only (no key material): lets the orchestrator tell network time from ours.
        reply.header("server-timing", timer.serverTiming());
        return reply.type("application/octet-stream").send(Buffer.from(out));
      } catch (e) {
        const code = isBaseError(e) ? e.code : ErrorCode.Internal;
        const message = isBaseError(e) ? e.shortMessage : "internal error";
        opts.onRefused?.(rpc, code, message);
        return reply
          .code(STATUS[code] ?? 500)
          .send({ code, message, ...(isBaseError(e) && e.details ? { details: e.details } : {}) });
      }
    });
  }
  return app;
}
