/**
 * @module `dsdn logs <job-id> [--follow]`: a job's log lines (its stderr / host log calls) as the node that ran it
 * recorded them, read with a request the submitter's key signs (nodes serve logs to the job's owner only).
 * `--follow` prints new lines until the job has ended.
 */
import { type Command, toJson } from "../../../common/cli.js";
import { BaseError, ErrorCode, InvalidArgumentError } from "../../../common/errors.js";
import { ComputeClient, type JobLogs } from "../../agent/computeClient.js";
import { coordinatorUrl } from "../config.js";
import { auditCollector, keyOptions, uploaderKeyFrom } from "./shared.js";

const POLL_MS = 1000;
/** `--follow` gives up after this long by default (a job's own wall-clock limit is shorter). */
const FOLLOW_TIMEOUT_MS = 30 * 60_000;

export const logs: Command = {
  summary: "A job's log lines, read from its node with your key (owner only); --follow until it ends",
  usage: "<job-id> [--follow] [--follow-timeout-ms N] [--coordinator URL] [--from KEY …] [--json] [--verbose]",
  options: {
    follow: { type: "boolean", short: "f", default: false },
    "follow-timeout-ms": { type: "string" },
    coordinator: { type: "string" },
    ...keyOptions,
    json: { type: "boolean", default: false },
  },
  async run({ positionals, values, out, err, verbose }) {
    const jobId = positionals[0];
    if (!jobId || positionals.length > 1) throw new InvalidArgumentError("give exactly one job id");
    const timeoutMs = Number(values["follow-timeout-ms"] ?? FOLLOW_TIMEOUT_MS);
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1)
      throw new InvalidArgumentError("--follow-timeout-ms must be a positive whole number of milliseconds");
    const audit = auditCollector(verbose);
    const client = new ComputeClient(coordinatorUrl(values), { ...(audit.sink ? { audit: audit.sink } : {}) });
    const key = await uploaderKeyFrom(values);
    const read = async (): Promise<JobLogs | undefined> => {
      const s = await client.status(jobId);
      try {
        return await client.logs(s, key);
      } catch (e) {
        // Following a job no node has started yet: keep waiting; anything else (not the owner) is the answer.
        if (values.follow && e instanceof BaseError && e.code === ErrorCode.NotFound && s.state !== "failed")
          return undefined;
        throw e;
      }
    };
    if (!values.follow) {
      const r = (await read())!;
      if (values.json) out(toJson(audit.audit ? { ...r, audit: audit.audit } : r));
      else {
        for (const l of r.logs) out(l);
        audit.print(out);
      }
      return r.state === "failed" ? 1 : 0;
    }
    const deadline = Date.now() + timeoutMs;
    let printed = 0;
    for (;;) {
      const r = await read();
      // The node keeps the newest lines of a job; print only the ones not printed yet.
      for (const l of r?.logs.slice(printed) ?? []) out(values.json ? toJson({ jobId, line: l }) : l);
      printed = Math.max(printed, r?.logs.length ?? 0);
      if (r && r.state !== "running") {
        if (!values.json) err(`» job ${r.state}${r.reason ? `: ${r.reason}` : ""}`);
        audit.print(err);
        return r.state === "failed" ? 1 : 0;
      }
      if (Date.now() > deadline)
        throw new BaseError(ErrorCode.Timeout, `job ${jobId} had not ended after ${timeoutMs} ms of --follow`);
      await new Promise((res) => setTimeout(res, POLL_MS));
    }
  },
};
