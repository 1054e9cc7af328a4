/**
 * @module The client's side of progressive disclosure: `--verbose` asks an API for `?level=3` and hands the answer's
 * audit data (receipt hashes, DA references, tx hashes) to a sink, while the caller still gets the plain body.
 */

/** Receives the `audit` of each level-3 answer. */
export type AuditSink = (audit: Readonly<Record<string, unknown>>) => void;

/** `url` with `level=3` when there is a sink to receive the audit; unchanged otherwise. */
export function auditUrl(url: string, sink: AuditSink | undefined): string {
  if (!sink) return url;
  return `${url}${url.includes("?") ? "&" : "?"}level=3`;
}

/**
 * The plain body of an answer: for a level-3 `{summary, details, audit}` answer its `details` (level 2 is the body
 * unwrapped), with `audit` given to the sink; any other body as it is.
 */
export function fromDisclosed<T>(body: unknown, sink: AuditSink | undefined): T {
  if (sink && body && typeof body === "object" && "summary" in body && "details" in body) {
    const d = body as { details: unknown; audit?: Record<string, unknown> };
    sink(d.audit ?? {});
    return d.details as T;
  }
  return body as T;
}

/** The lines `--verbose` prints for one audit block: each anchor on its own line, nested keys by their JSON path. */
export function auditLines(audit: Readonly<Record<string, unknown>>, heading = "audit"): string[] {
  const keys = Object.keys(audit);
  if (keys.length === 0) return [`${heading}: (none in this answer)`];
  const width = Math.min(40, Math.max(...keys.map((k) => k.length)));
  return [`${heading}:`, ...keys.map((k) => `  ${k.padEnd(width)}  ${String(audit[k])}`)];
}

/** The `{code, message, …}` of an error answer, whether plain (`{error}`) or disclosed at a level (`{summary, details}`). */
export function errorBody<E extends { code?: string; message?: string }>(body: unknown): E | undefined {
  if (!body || typeof body !== "object") return undefined;
  const b = body as { error?: E; summary?: unknown; details?: E };
  if (b.error && typeof b.error === "object") return b.error;
  if (b.summary !== undefined && b.details && typeof b.details === "object" && "code" in b.details) return b.details;
  return undefined;
}
