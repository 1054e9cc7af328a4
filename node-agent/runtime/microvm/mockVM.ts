/**
 * @module MockVM: a plain subprocess, for development and machines with no sandbox. It enforces the
 * wall-clock and output limits only — no isolation, no memory or process limits — and says so.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BaseError, ErrorCode } from "../../../common/errors.js";
import { killProcessGroup, runProcess } from "./runProcess.js";
import { defaultMicroVMLimits, type ExecOptions, type ExecResult, type MicroVM, type MicroVMLimits } from "./types.js";

export class MockVM implements MicroVM {
  readonly backend = "mock" as const;
  #dir: string | undefined;

  constructor(readonly limits: MicroVMLimits = defaultMicroVMLimits) {}

  async start(): Promise<void> {
    this.#dir ??= mkdtempSync(join(tmpdir(), "dsdn-mockvm-"));
  }

  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    if (!this.#dir) throw new BaseError(ErrorCode.InvalidArgument, "MicroVM exec before start");
    return runProcess({
      argv,
      env: { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: this.#dir, TMPDIR: this.#dir },
      cwd: options.imageDir ?? this.#dir,
      stdin: options.stdin,
      timeoutMs: Math.min(options.timeoutMs ?? this.limits.timeoutMs, this.limits.timeoutMs),
      maxOutputBytes: this.limits.maxOutputBytes,
      killTree: killProcessGroup,
    });
  }

  async stop(): Promise<void> {
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true });
    this.#dir = undefined;
  }
}
