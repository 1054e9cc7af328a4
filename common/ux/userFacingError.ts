/** @module The one translation from anything thrown (or a chain result) to what a person reads: code, title, what happened, what to do. */
import { ErrorCode, isBaseError } from "../errors.js";
import { catalogEntry, chainCode, UxCode } from "./catalog.js";
import type { Lang } from "./lang.js";

export interface UserFacingError {
  /** A registered code (see catalog.ts): stable, for scripts and support. */
  readonly code: string;
  readonly title: string;
  readonly whatHappened: string;
  readonly whatToDo: string;
  /**
   * The specific case, when it is written for people (a BaseError's short message, a chain refusal's reason).
   * Never an internal string: those appear only as `technical`, which callers show under --verbose.
   */
  readonly detail?: string;
  /** Raw text for --verbose (stack, cause chain, raw log). Never shown by default. */
  readonly technical?: string;
}

/** Codes whose BaseError message may name internals (paths, peers, parser state): shown only with --verbose. */
const INTERNAL_TEXT: ReadonlySet<string> = new Set([ErrorCode.Internal, ErrorCode.Decode]);

/**
 * Node's socket and DNS failures, and undici's (fetch) — a connection closed by the other side, cut short or never
 * made: the network or the service, which people fix differently from a bug.
 */
const NETWORK_ERRNO = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "EPIPE",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
]);

function build(code: string, lang: Lang, extra: { detail?: string; technical?: string; module?: string } = {}) {
  const t = catalogEntry(code)[lang];
  const fill = (s: string) => (extra.module ? s.replaceAll("{module}", extra.module) : s);
  return {
    code,
    title: fill(t.title),
    whatHappened: fill(t.whatHappened),
    whatToDo: fill(t.whatToDo),
    ...(extra.detail ? { detail: extra.detail } : {}),
    ...(extra.technical ? { technical: extra.technical } : {}),
  };
}

/** The network failure in `e`'s cause chain, as "CODE: message" (e.g. "UND_ERR_SOCKET: other side closed"). */
function errnoOf(e: unknown): string | undefined {
  for (let cur = e, depth = 0; cur && typeof cur === "object" && depth < 5; depth++) {
    const { code, message } = cur as { code?: unknown; message?: unknown };
    if (typeof code === "string" && NETWORK_ERRNO.has(code))
      return typeof message === "string" && message && !message.includes(code) ? `${code}: ${message}` : code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

function technicalOf(e: unknown): string {
  const parts: string[] = [];
  for (let cur = e, depth = 0; cur !== undefined && cur !== null && depth < 5; depth++) {
    parts.push(cur instanceof Error ? (cur.stack ?? cur.message) : String(cur));
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return parts.join("\ncaused by: ");
}

/** A chain result `{codespace, code, log}` (DeliverTx / CheckTx / a broadcast error) in the reader's language. */
export function chainResultToUserFacing(
  r: { codespace: string; code: number; log?: string },
  lang: Lang,
): UserFacingError {
  const code = chainCode(r.codespace, r.code);
  // The registered message (the log's last clause) is written for people; the wrapped prefix names internals.
  return build(code, lang, {
    module: r.codespace,
    ...(r.log ? { detail: `${r.codespace}/${r.code}: ${r.log.slice(0, 300)}` } : {}),
    technical: `codespace ${r.codespace} code ${r.code}${r.log ? `: ${r.log}` : ""}`,
  });
}

/** CosmJS reports a refused broadcast as text; recover `{codespace, code, log}` from it. */
function chainFromMessage(message: string): { codespace: string; code: number; log: string } | undefined {
  const m = /failed with code (\d+) \(codespace: ([a-z0-9_]+)\)\. Log: ([\s\S]*)$/.exec(message);
  return m ? { code: Number(m[1]), codespace: m[2]!, log: m[3]!.trim() } : undefined;
}

/** A refused query — also the dry run of `--gas auto` — whose codespace CosmJS drops: never taken for an SDK code. */
function refusedQuery(message: string): { code: number; log: string } | undefined {
  const q = /^Query failed with \((\d+)\): ([\s\S]*)$/.exec(message);
  return q ? { code: Number(q[1]), log: q[2]!.trim() } : undefined;
}

/** Translates anything thrown. Unknown errors become Internal with their text kept for --verbose only. */
export function toUserFacing(e: unknown, lang: Lang): UserFacingError {
  if (isBaseError(e)) {
    const hidden = INTERNAL_TEXT.has(e.code);
    return build(e.code, lang, {
      ...(hidden ? {} : { detail: e.details ? `${e.shortMessage}\n${e.details}` : e.shortMessage }),
      technical: technicalOf(e),
    });
  }
  if (e && typeof e === "object") {
    const { codespace, code, message, log } = e as {
      codespace?: unknown;
      code?: unknown;
      message?: unknown;
      log?: unknown;
    };
    // A ChainError, or CosmJS's BroadcastTxError (CheckTx refused it), carries the registered pair itself.
    if (typeof codespace === "string" && typeof code === "number")
      return chainResultToUserFacing(
        { codespace, code, log: typeof log === "string" ? log : typeof message === "string" ? message : "" },
        lang,
      );
    const chain = typeof message === "string" ? chainFromMessage(message) : undefined;
    if (chain) return chainResultToUserFacing(chain, lang);
    const query = typeof message === "string" ? refusedQuery(message) : undefined;
    if (query)
      return build(UxCode.ChainRefused, lang, {
        detail: `code ${query.code}: ${query.log.slice(0, 300)}`,
        technical: technicalOf(e),
      });
    const name = (e as { name?: unknown }).name;
    if (name === "TimeoutError" || name === "AbortError")
      return build(ErrorCode.Timeout, lang, { technical: technicalOf(e) });
  }
  const errno = errnoOf(e);
  if (errno) return build(UxCode.Network, lang, { detail: errno, technical: technicalOf(e) });
  return build(ErrorCode.Internal, lang, { technical: technicalOf(e) });
}

/** A refusal the CLI makes itself (unknown command, bad option) with its own detail line. */
export function uxError(code: UxCode, lang: Lang, detail?: string): UserFacingError {
  return build(code, lang, detail ? { detail } : {});
}

const LABELS: Record<Lang, { what: string; todo: string; detail: string; code: string; technical: string }> = {
  en: { what: "What happened", todo: "What to do", detail: "Detail", code: "Code", technical: "Technical detail" },
  id: {
    what: "Apa yang terjadi",
    todo: "Yang perlu dilakukan",
    detail: "Rincian",
    code: "Kode",
    technical: "Rincian teknis",
  },
};

/** The lines a CLI prints: never the technical part unless `verbose`. */
export function formatUserFacing(u: UserFacingError, lang: Lang, verbose = false): string[] {
  const l = LABELS[lang];
  const lines = [`Error: ${u.title} (${l.code} ${u.code})`, `  ${l.what}: ${u.whatHappened}`];
  if (u.detail) lines.push(`  ${l.detail}: ${u.detail}`);
  lines.push(`  ${l.todo}: ${u.whatToDo}`);
  if (verbose && u.technical) lines.push(`  ${l.technical}:`, ...u.technical.split("\n").map((s) => `    ${s}`));
  return lines;
}

/** The JSON an HTTP API or `--json` CLI answers with (the technical part never leaves the process). */
export function userFacingJson(u: UserFacingError): Omit<UserFacingError, "technical"> {
  const { technical: _technical, ...rest } = u;
  return rest;
}
