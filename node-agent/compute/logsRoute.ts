/** @module `POST /jobs/:id/logs` on a storage node: a job's log lines, to its signed submitter only (ADR-036, fresh, used once). */
import type { FastifyInstance } from "fastify";
import { BaseError, ErrorCode, InvalidArgumentError } from "../../common/errors.js";
import { ReplayGuard } from "../coordinator/signedRequest.js";
import { postSmallJson } from "../http/smallJsonPost.js";
import type { JobLogStore } from "./jobLogs.js";
import { type LogRequest, verifyLogRequest } from "./logRequest.js";

const MAX_BODY = 4096;

export function registerLogsRoute(app: FastifyInstance, store: JobLogStore): void {
  const replays = new ReplayGuard();
  postSmallJson(app, "/jobs/:id/logs", MAX_BODY, async (req) => {
    const { id } = req.params as { id: string };
    const body = (req.body ?? {}) as Partial<LogRequest>;
    if (!/^[0-9a-f]{64}$/.test(id) || body.jobId !== id || !Number.isSafeInteger(body.signedAtMs))
      throw new InvalidArgumentError("a log request names the job id of its URL and its signing time");
    if (!verifyLogRequest(body as LogRequest))
      throw new BaseError(ErrorCode.Unauthorized, "the log request is not signed (ADR-036) by the account it names");
    const replay = replays.use(body.signature!, body.signedAtMs!);
    if (replay) throw new BaseError(ErrorCode.Unauthorized, replay);
    const r = store.get(id);
    if (!r) throw new BaseError(ErrorCode.NotFound, `this node holds no logs of job ${id}`);
    if (r.owner !== body.owner)
      throw new BaseError(ErrorCode.Unauthorized, "a job's logs are served to the account that submitted it only");
    return { jobId: r.jobId, state: r.state, reason: r.reason || null, logs: r.logs };
  });
}
