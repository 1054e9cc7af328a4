/** @module Transfer progress: a redrawn bar on a terminal, sparse plain lines otherwise. */

export interface Progress {
  update(doneBytes: number): void;
  finish(): void;
}

function mb(n: number): string {
  return (n / 1e6).toFixed(1);
}

/**
 * `label` names the transfer. On a TTY the bar redraws at most ~10×/s; otherwise one line per 10 % so
 * logs stay short for files of any size.
 */
export function createProgress(
  label: string,
  totalBytes: number,
  stream: NodeJS.WriteStream = process.stderr,
): Progress {
  const start = Date.now();
  const tty = stream.isTTY === true;
  let lastDraw = 0;
  let lastDecile = -1;
  let done = 0;
  // A rate over the first instants says nothing; show it once there is something to average.
  const rate = () => {
    const secs = (Date.now() - start) / 1000;
    return secs < 0.25 ? "–" : mb(done / secs);
  };
  const draw = (final: boolean) => {
    const frac = totalBytes === 0 ? 1 : Math.min(done / totalBytes, 1);
    if (tty) {
      const width = 30;
      const filled = Math.round(frac * width);
      stream.write(
        `\r${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${mb(done)}/${mb(totalBytes)} MB ${rate()} MB/s${final ? "\n" : ""}`,
      );
      return;
    }
    const decile = Math.floor(frac * 10);
    if (decile > lastDecile || final) {
      if (!final || decile > lastDecile)
        stream.write(`${label}: ${(frac * 100).toFixed(0)}% ${mb(done)}/${mb(totalBytes)} MB ${rate()} MB/s\n`);
      lastDecile = decile;
    }
  };
  return {
    update(doneBytes) {
      done = doneBytes;
      const now = Date.now();
      if (!tty || now - lastDraw > 100) {
        lastDraw = now;
        draw(false);
      }
    },
    finish() {
      draw(true);
    },
  };
}
