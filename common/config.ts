/** @module Configuration from a JSON file and the environment, validated field by field. */
import { readFileSync } from "node:fs";
import { ConfigError } from "./errors.js";

export type FieldType = "string" | "int" | "bigint" | "bool" | "url" | "hex";

export interface FieldSpec<T> {
  readonly type: FieldType;
  /** Environment variable that overrides the file value. */
  readonly env?: string;
  readonly default?: T;
  readonly required?: boolean;
  /** Extra rule; return a problem description, or undefined when the value is fine. */
  readonly check?: (value: T) => string | undefined;
  /** Never echo the value in errors (tokens, keys). */
  readonly secret?: boolean;
}

type ValueOf<F> = F extends FieldSpec<infer T> ? T : never;
export type ConfigSpec = Record<string, FieldSpec<any>>;
export type ConfigOf<S extends ConfigSpec> = { -readonly [K in keyof S]: ValueOf<S[K]> };

export interface LoadOptions {
  /** Path of a JSON file whose top-level keys are the field names. */
  readonly file?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Values given explicitly (command-line flags) win over env and file. */
  readonly overrides?: Readonly<Record<string, unknown>>;
}

function coerce(field: string, spec: FieldSpec<unknown>, raw: unknown, source: string): unknown {
  const shown = spec.secret ? "<redacted>" : JSON.stringify(raw);
  const bad = (what: string) => new ConfigError(field, `${what}, got ${shown} (from ${source})`);
  switch (spec.type) {
    case "string":
      if (typeof raw !== "string") throw bad("expected a string");
      return raw;
    case "int": {
      const n =
        typeof raw === "number"
          ? raw
          : typeof raw === "string" && /^-?\d+$/.test(raw.trim())
            ? Number(raw)
            : Number.NaN;
      if (!Number.isSafeInteger(n)) throw bad("expected an integer");
      return n;
    }
    case "bigint": {
      if (typeof raw === "bigint") return raw;
      const s = typeof raw === "number" && Number.isSafeInteger(raw) ? String(raw) : raw;
      if (typeof s !== "string" || !/^-?\d+$/.test(s.trim())) throw bad("expected an integer");
      return BigInt(s.trim());
    }
    case "bool": {
      if (typeof raw === "boolean") return raw;
      if (raw === "true" || raw === "1") return true;
      if (raw === "false" || raw === "0") return false;
      throw bad("expected true or false");
    }
    case "url": {
      if (typeof raw !== "string") throw bad("expected a URL");
      try {
        const u = new URL(raw);
        if (!["http:", "https:", "ws:", "wss:", "tcp:", "unix:"].includes(u.protocol)) throw new Error("scheme");
      } catch {
        throw bad("expected an http(s)/ws(s)/tcp URL");
      }
      return raw;
    }
    case "hex":
      if (typeof raw !== "string" || raw.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(raw)) throw bad("expected hex");
      return raw.toLowerCase();
  }
}

/**
 * Resolves each field from (in order of precedence) overrides, environment, file, default, and
 * validates it. The first problem throws a ConfigError that names the field and where the value came from.
 */
export function loadConfig<S extends ConfigSpec>(spec: S, options: LoadOptions = {}): ConfigOf<S> {
  let fileValues: Record<string, unknown> = {};
  if (options.file !== undefined) {
    let text: string;
    try {
      text = readFileSync(options.file, "utf8");
    } catch (e) {
      throw new ConfigError("<file>", `cannot read config file ${options.file}`, { cause: e });
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
      fileValues = parsed as Record<string, unknown>;
    } catch (e) {
      throw new ConfigError("<file>", `config file ${options.file} is not a JSON object`, { cause: e });
    }
    for (const key of Object.keys(fileValues)) {
      if (!(key in spec)) throw new ConfigError(key, `unknown field in ${options.file}`);
    }
  }
  const env = options.env ?? process.env;
  const out: Record<string, unknown> = {};
  for (const [field, s] of Object.entries(spec)) {
    let raw: unknown;
    let source = "default";
    if (options.overrides && options.overrides[field] !== undefined) {
      raw = options.overrides[field];
      source = "command line";
    } else if (s.env && env[s.env] !== undefined && env[s.env] !== "") {
      raw = env[s.env];
      source = `env ${s.env}`;
    } else if (fileValues[field] !== undefined) {
      raw = fileValues[field];
      source = options.file ?? "file";
    }
    if (raw === undefined) {
      if (s.default !== undefined) {
        out[field] = s.default;
        continue;
      }
      if (s.required) throw new ConfigError(field, `is required${s.env ? ` (set ${s.env})` : ""}`);
      out[field] = undefined;
      continue;
    }
    const value = coerce(field, s, raw, source);
    const problem = s.check?.(value);
    if (problem !== undefined) {
      throw new ConfigError(
        field,
        `${problem}${s.secret ? "" : `, got ${JSON.stringify(String(value))}`} (from ${source})`,
      );
    }
    out[field] = value;
  }
  return out as ConfigOf<S>;
}
