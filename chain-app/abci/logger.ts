/** @module The small injectable logger the ABCI server writes through (default: level-tagged stderr lines). */

export type AbciLogLevel = "debug" | "info" | "warn" | "error";

/** Structured context for a log line. Callers put only request kinds, heights and sizes here — never tx bytes or keys. */
export type AbciLogFields = Readonly<Record<string, string | number | bigint | boolean | undefined>>;

export interface AbciLogger {
  debug(message: string, fields?: AbciLogFields): void;
  info(message: string, fields?: AbciLogFields): void;
  warn(message: string, fields?: AbciLogFields): void;
  error(message: string, fields?: AbciLogFields): void;
}

const LEVEL_RANK: Record<AbciLogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function formatFields(fields: AbciLogFields | undefined): string {
  if (!fields) return "";
  const parts: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const text = String(value);
    // Quote values with spaces so the line stays machine-splittable.
    parts.push(`${key}=${/[\s"=]/.test(text) ? JSON.stringify(text) : text}`);
  }
  return parts.length > 0 ? ` ${parts.join(" ")}` : "";
}

export interface StderrLoggerOptions {
  /** Lowest level written; default "info". */
  readonly level?: AbciLogLevel;
  /** Where lines go; default process.stderr. */
  readonly write?: (line: string) => void;
}

/** `2026-01-01T00:00:00.000Z WARN abci: message key=value` lines. */
export function createStderrLogger(options: StderrLoggerOptions = {}): AbciLogger {
  const min = LEVEL_RANK[options.level ?? "info"];
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const log = (level: AbciLogLevel) => (message: string, fields?: AbciLogFields) => {
    if (LEVEL_RANK[level] < min) return;
    write(`${new Date().toISOString()} ${level.toUpperCase()} abci: ${message}${formatFields(fields)}\n`);
  };
  return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}

/** Discards everything (tests that assert on behaviour, not on log output). */
export const silentLogger: AbciLogger = { debug() {}, info() {}, warn() {}, error() {} };
