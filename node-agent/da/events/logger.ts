/** @module The small structured logger the DA publisher and follower report through (never given secrets). */

export interface DALogger {
  info(message: string, meta?: Readonly<Record<string, unknown>>): void;
  warn(message: string, meta?: Readonly<Record<string, unknown>>): void;
  error(message: string, meta?: Readonly<Record<string, unknown>>): void;
}

function line(level: string, message: string, meta?: Readonly<Record<string, unknown>>): string {
  return JSON.stringify({ t: new Date().toISOString(), level, msg: message, ...(meta ?? {}) }, (_k, v) =>
    typeof v === "bigint" ? v.toString() : v,
  );
}

/** JSON lines on stderr, so stdout stays free for command output. */
export const stderrLogger: DALogger = {
  info: (m, meta) => process.stderr.write(`${line("info", m, meta)}\n`),
  warn: (m, meta) => process.stderr.write(`${line("warn", m, meta)}\n`),
  error: (m, meta) => process.stderr.write(`${line("error", m, meta)}\n`),
};

export const silentLogger: DALogger = { info: () => {}, warn: () => {}, error: () => {} };
