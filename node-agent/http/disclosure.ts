/** @module Progressive disclosure for every HTTP API: `{summary, details, audit}` at levels 0–3, and errors through the translation layer. */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { catalogEntry } from "../../common/ux/catalog.js";
import { isLang, type Lang, resolveLang } from "../../common/ux/lang.js";
import { type UserFacingError, userFacingJson } from "../../common/ux/userFacingError.js";

/** 0 a sentence; 1 the key facts; 2 every detail; 3 the details plus what a user needs to verify them. */
export type Level = 0 | 1 | 2 | 3;
export const LEVELS: readonly Level[] = [0, 1, 2, 3];

export interface Disclosed {
  readonly summary: string;
  readonly details?: Record<string, unknown>;
  readonly audit?: Record<string, unknown>;
}

/** What a route says about one answer; anything left out is derived from the body. */
export interface Describe {
  /** The level-0 sentence. */
  readonly summary: string;
  /** Field names that make up level 1 (default: the body's top-level scalars). */
  readonly keyFacts?: readonly string[];
  /** Anchors the route knows better than the generic field scan (e.g. a panel's own audit list). */
  readonly audit?: Record<string, unknown>;
}

export type Describer = (body: Record<string, unknown>, req: FastifyRequest) => Describe;

export interface DisclosureOptions {
  /** How the service names itself in generic summaries ("coordinator", "storage node"). */
  readonly service: string;
  /** Verification anchors of the whole service (DA height, state digest); must be derived from replayed state only. */
  readonly audit?: () => Record<string, unknown>;
  /** Route-specific sentences, keyed "GET /health" (fastify's route pattern). Others get a generic sentence. */
  readonly describe?: Readonly<Record<string, Describer>>;
}

/** `?level=` of a request (read from the raw URL), undefined when absent or malformed. */
export function requestLevel(req: FastifyRequest): Level | undefined {
  const l = parseLevel(rawParam(req, "level"));
  return l === "invalid" ? undefined : l;
}

/** Reads `?level=` (0–3). Undefined when absent; throws nothing: a bad value is answered by the schema-less check below. */
export function parseLevel(raw: unknown): Level | undefined | "invalid" {
  if (raw === undefined) return undefined;
  const n = typeof raw === "string" && /^[0-3]$/.test(raw) ? Number(raw) : Number.NaN;
  return Number.isNaN(n) ? "invalid" : (n as Level);
}

/** Names whose values let a reader check an answer: DA references, chain tx hashes, receipt hashes, state digests. */
const AUDIT_KEY = /(hash|commitment|digest|daheight|dataroot|receipt|txid|signature|publisher|^ack$|ticketid)/i;
const MAX_AUDIT_ITEMS = 256;

/** Collects the verification anchors inside a body (bounded depth and count), keyed by their JSON path. */
export function collectAudit(body: unknown): Record<string, unknown> {
  const found: Record<string, unknown> = {};
  let n = 0;
  const walk = (v: unknown, path: string, depth: number) => {
    if (n >= MAX_AUDIT_ITEMS || depth > 6 || v === null || typeof v !== "object") return;
    const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
    for (const [k, x] of entries) {
      const p = path ? `${path}.${k}` : k;
      if (!Array.isArray(v) && AUDIT_KEY.test(k) && (typeof x === "string" || typeof x === "number")) {
        found[p] = x;
        if (++n >= MAX_AUDIT_ITEMS) return;
      } else walk(x, p, depth + 1);
    }
  };
  walk(body, "", 0);
  return found;
}

function scalars(body: Record<string, unknown>): string[] {
  return Object.keys(body)
    .filter((k) => {
      const v = body[k];
      return v === null || ["string", "number", "boolean"].includes(typeof v);
    })
    .slice(0, 16);
}

/** Renders one answer at a level. Pure: the same body, description and anchors give the same bytes. */
export function disclose(
  body: Record<string, unknown>,
  level: Level,
  d: Describe,
  serviceAudit: Record<string, unknown> = {},
): Disclosed {
  if (level === 0) return { summary: d.summary };
  const keys = d.keyFacts ?? scalars(body);
  const facts = Object.fromEntries(keys.filter((k) => k in body).map((k) => [k, body[k]]));
  if (level === 1) return { summary: d.summary, details: facts };
  if (level === 2) return { summary: d.summary, details: body };
  return { summary: d.summary, details: body, audit: { ...serviceAudit, ...collectAudit(body), ...(d.audit ?? {}) } };
}

/**
 * A query parameter read from the raw URL: route schemas may strip properties they do not list, and
 * disclosure must work on every route without each schema knowing about it.
 */
function rawParam(req: FastifyRequest, name: string): string | undefined {
  const q = req.url.indexOf("?");
  if (q < 0) return undefined;
  return new URLSearchParams(req.url.slice(q + 1, q + 1 + 2048)).get(name) ?? undefined;
}

function langOf(req: FastifyRequest): Lang {
  const q = rawParam(req, "lang");
  if (isLang(q)) return q;
  const accept = String(req.headers["accept-language"] ?? "").slice(0, 200);
  // Accept-Language lists preferences in order; the first we speak wins.
  for (const part of accept.split(",")) {
    const tag = part.split(";")[0]?.trim().toLowerCase() ?? "";
    if (tag.startsWith("id") || tag.startsWith("in")) return "id";
    if (tag.startsWith("en")) return "en";
  }
  return resolveLang(undefined, {});
}

/** The translated fields an error body gains, from its registered code and its human message. */
export function translatedError(code: string, message: string | undefined, lang: Lang): UserFacingError {
  const t = catalogEntry(code)[lang];
  return { code, ...t, ...(message ? { detail: message } : {}) };
}

function errorOf(body: Record<string, unknown>): { code: string; message?: string } | undefined {
  const e = body.error;
  if (e && typeof e === "object" && typeof (e as { code?: unknown }).code === "string")
    return e as { code: string; message?: string };
  return undefined;
}

/**
 * Wraps every JSON answer of `app` (and its child plugins): with `?level=0..3` the answer is
 * `{summary, details, audit}`; without it the body stays as existing clients parse it (level 2's details,
 * unwrapped). Error bodies `{error: {code, message}}` gain the translated title, what happened and what to do
 * either way (`?lang=` or Accept-Language). Bytes, text and streams pass through untouched.
 */
export function registerDisclosure(app: FastifyInstance, o: DisclosureOptions): void {
  app.addHook("onRequest", async (req, reply) => {
    if (parseLevel(rawParam(req, "level")) === "invalid")
      return reply.code(400).send({
        error: { code: "DSDN_INVALID_ARGUMENT", message: "level must be 0, 1, 2 or 3" },
      });
  });
  app.addHook("preSerialization", async (req, reply, payload) => {
    if (payload === null || typeof payload !== "object" || Array.isArray(payload)) return payload;
    const body = payload as Record<string, unknown>;
    const level = parseLevel(rawParam(req, "level"));
    const err = reply.statusCode >= 400 ? errorOf(body) : undefined;
    if (err) {
      const u = translatedError(err.code, reply.statusCode >= 500 ? undefined : err.message, langOf(req));
      const translated = { ...body, error: { ...err, ...userFacingJson(u) } };
      if (level === undefined || level === "invalid") return translated;
      return disclose(
        translated.error as Record<string, unknown>,
        level,
        {
          summary: `${u.title}${u.detail ? `: ${u.detail}` : ""}`,
          keyFacts: ["code", "title", "whatHappened", "whatToDo"],
        },
        o.audit?.() ?? {},
      );
    }
    if (level === undefined || level === "invalid" || "summary" in body) return payload;
    const key = `${req.method} ${req.routeOptions.url ?? ""}`;
    const d = o.describe?.[key]?.(body, req) ?? {
      summary: `${o.service} answered ${req.method} ${req.routeOptions.url ?? req.url.split("?")[0]}${reply.statusCode >= 400 ? ` with status ${reply.statusCode}` : ""}.`,
    };
    return disclose(body, level, d, o.audit?.() ?? {});
  });
}
