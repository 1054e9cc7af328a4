/** @module Progress for long operations: a bar with percentage, speed and ETA on a terminal (cli-progress); silent otherwise. */
import { SingleBar } from "cli-progress";

export interface Progress {
  update(doneBytes: number): void;
  finish(): void;
}

export interface ProgressOptions {
  /** Where the bar is drawn; default stderr, so stdout stays clean for results and `--json`. */
  readonly stream?: NodeJS.WriteStream;
  /** `--json` or a script asked for machine output: draw nothing. */
  readonly quiet?: boolean;
}

const SILENT: Progress = { update() {}, finish() {} };

function mb(n: number): string {
  return (n / 1e6).toFixed(1);
}

/** Whether a bar would be drawn: only on a terminal, and never with --json. */
export function progressVisible(o: ProgressOptions = {}): boolean {
  return o.quiet !== true && (o.stream ?? process.stderr).isTTY === true;
}

/**
 * A byte-transfer bar labelled `label` (upload, get, deploy's uploads). Redrawn at most ~10×/s; percentage,
 * MB done/total, speed and ETA. Not a terminal (a pipe, a CI log) or quiet: nothing at all, so logs stay clean.
 */
export function createProgress(label: string, totalBytes: number, o: ProgressOptions = {}): Progress {
  if (!progressVisible(o)) return SILENT;
  const stream = o.stream ?? process.stderr;
  const start = performance.now();
  const bar = new SingleBar({
    stream,
    format: `${label} [{bar}] {percentage}% {doneMb}/{totalMb} MB {speed} MB/s ETA {eta_formatted}`,
    barCompleteChar: "#",
    barIncompleteChar: ".",
    hideCursor: false,
    fps: 10,
    etaBuffer: 20,
    clearOnComplete: false,
  });
  const payload = (done: number) => {
    const secs = (performance.now() - start) / 1000;
    // A rate over the first instants says nothing; show it once there is something to average.
    return { doneMb: mb(done), totalMb: mb(totalBytes), speed: secs < 0.25 ? "–" : mb(done / secs) };
  };
  bar.start(Math.max(totalBytes, 1), 0, payload(0));
  return {
    update(doneBytes) {
      bar.update(Math.min(doneBytes, Math.max(totalBytes, 1)), payload(doneBytes));
    },
    finish() {
      bar.update(Math.max(totalBytes, 1), payload(totalBytes));
      bar.stop();
    },
  };
}

/**
 * Named stages of a multi-step command (`dsdn deploy`: dry run, upload module, sign and submit, …), one line
 * each on stderr; silent with --json. Byte transfers inside a stage use createProgress with the same options.
 */
export function createStages(o: ProgressOptions = {}): (stage: string) => void {
  const stream = o.stream ?? process.stderr;
  return o.quiet === true ? () => {} : (stage) => void stream.write(`» ${stage}\n`);
}
