/** @module Which language people read messages in: `--lang`, then `DSDN_LANG`, then the locale (LC_ALL, LC_MESSAGES, LANG). */

export const LANGS = ["en", "id"] as const;
export type Lang = (typeof LANGS)[number];

function pick(value: string | undefined): Lang | undefined {
  if (!value) return undefined;
  // Locale strings look like `id_ID.UTF-8`, `in_ID` (Java's old code for Indonesian) or `en-US`.
  const base = value.toLowerCase().split(/[_.@-]/)[0];
  if (base === "id" || base === "in") return "id";
  if (base === "en") return "en";
  return undefined;
}

/** True when `value` names a supported language exactly (for validating `--lang`). */
export function isLang(value: unknown): value is Lang {
  return typeof value === "string" && (LANGS as readonly string[]).includes(value);
}

/**
 * The language to answer in. An explicit flag wins, then `DSDN_LANG`, then the POSIX locale order
 * (LC_ALL overrides LC_MESSAGES overrides LANG); English when none names a language we speak.
 */
export function resolveLang(flag?: string, env: NodeJS.ProcessEnv = process.env): Lang {
  return pick(flag) ?? pick(env.DSDN_LANG) ?? pick(env.LC_ALL) ?? pick(env.LC_MESSAGES) ?? pick(env.LANG) ?? "en";
}
