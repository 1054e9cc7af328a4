/**
 * @module `dsdn exec [DIR | module.wasm] [--input FILE]`: run a module once on the network and print its output —
 * `dsdn deploy --wait` (dry run, upload, sign, submit, wait) followed by `dsdn job output`, the verified output bytes
 * on stdout (or -o FILE) and the stages on stderr. A failed run prints the reason and its log lines (owner-signed).
 */
import { writeFileSync } from "node:fs";
import type { Command } from "../../../common/cli.js";
import { BaseError, ErrorCode, InvalidArgumentError } from "../../../common/errors.js";
import { readIntent } from "../../agent/workloadFiles.js";
import { deploy, deployBatch } from "./deploy.js";
import { auditCollector } from "./shared.js";

const { wait: _wait, ingress: _ingress, json: _json, ...deployOptions } = deploy.options!;

export const exec: Command = {
  summary: "Run a module once with an input and print its output (deploy --wait, then the output on stdout)",
  usage:
    "[DIR | module.wasm] [--input FILE] [-o FILE] [--type batch|ai] [--replicas N] [--wait-timeout-ms N] [--coordinator URL] [--from KEY …]",
  options: { ...deployOptions, output: { type: "string", short: "o" } },
  async run({ positionals, values, err, verbose }) {
    const target = positionals[0] ?? ".";
    if (positionals.length > 1) throw new InvalidArgumentError("give one project directory or module.wasm");
    if (readIntent(target).intent.type === "static")
      throw new InvalidArgumentError("a static project has no module to run: publish it with `dsdn deploy`");
    const stage = (s: string) => err(`» ${s}`);
    const audit = auditCollector(verbose);
    const { result, status, client, key } = await deployBatch(target, { ...values, wait: true }, stage, audit.sink);
    if (status && result.state === "failed") {
      // The reason from the coordinator; the module's own lines from its node (the submitter may read them).
      const lines = await client.logs(status, key).then(
        (l) => l.logs,
        () => [],
      );
      for (const l of lines) err(`  ${l}`);
      throw new BaseError(ErrorCode.JobFailed, `job ${result.jobId} failed: ${status.reason ?? "unknown reason"}`);
    }
    if (!status || result.state !== "completed")
      throw new BaseError(
        ErrorCode.Timeout,
        `job ${result.jobId} had not finished in time (state ${result.state}); follow it: dsdn logs --follow ${result.jobId}`,
      );
    const bytes = await client.output(status, async () => key);
    if (typeof values.output === "string") writeFileSync(values.output, bytes);
    else process.stdout.write(bytes);
    // stdout carries the output bytes: the audit goes to stderr.
    audit.print(err);
    return 0;
  },
};
