/**
 * @module The workload intent (`dsdn.yaml` or JSON, roadmap 18.1): what a developer states, parsed and validated
 * with errors that name the field. Defaults are not applied here (see resolve.ts).
 */
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { BaseError, ErrorCode } from "../../common/errors.js";

/** An intent file larger than this is refused before it is parsed. */
export const MAX_INTENT_BYTES = 64 * 1024;

export const WORKLOAD_TYPES = ["web_app", "batch", "static", "ai"] as const;
export const PRIORITIES = ["low", "normal", "high"] as const;
export const VISIBILITIES = ["private", "public"] as const;
export const AGREEMENTS = ["majority", "unanimous"] as const;
export const NODE_CLASSES = ["regular", "datacenter"] as const;
export const RUNTIMES = ["wasm", "microvm"] as const;
/** A MicroVM command: at most this many arguments of at most MAX_ARG_BYTES each. */
export const MAX_COMMAND_ARGS = 64;
export const MAX_ARG_BYTES = 1024;

const relPath = z
  .string()
  .min(1)
  .max(512)
  .refine((p) => !p.includes("\0"), "must not contain NUL");
const zone = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "a zone is lower-case letters, digits and '-' (at most 63)");

/** The intent as written; every field but `type` is optional. Unknown fields are refused (typos are errors). */
export const IntentSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "letters, digits, '.', '_' or '-' (at most 64)")
      .optional(),
    type: z.enum(WORKLOAD_TYPES),
    priority: z.enum(PRIORITIES).optional(),
    visibility: z.enum(VISIBILITIES).optional(),
    /** The wasm32-wasi command module (path relative to the intent file). */
    entry: relPath.optional(),
    /** The job input file (stdin), relative to the intent file. */
    input: relPath.optional(),
    /** wasm (default): the entry module runs in the traced engine; microvm: `command` runs over `image`. */
    runtime: z.enum(RUNTIMES).optional(),
    /** microvm: the image — a directory relative to the intent file (uploaded as a tar object) or a CID. */
    image: relPath.optional(),
    /** microvm: argv run inside the unpacked image (input on stdin, output on stdout). */
    command: z
      .array(
        z
          .string()
          .min(1)
          .max(MAX_ARG_BYTES)
          .refine((a) => !a.includes("\0"), "must not contain NUL"),
      )
      .min(1)
      .max(MAX_COMMAND_ARGS)
      .optional(),
    /** static: the directory published through the ingress. */
    publish: relPath.optional(),
    replicas: z.number().int().min(1).max(3).optional(),
    agreement: z.enum(AGREEMENTS).optional(),
    zones: z.array(zone).min(1).max(8).optional(),
    class: z.enum(NODE_CLASSES).optional(),
    resources: z
      .object({
        fuel: z.number().int().min(1_000).max(1e15).optional(),
        memoryMiB: z.number().int().min(1).max(4096).optional(),
        timeoutSeconds: z.number().int().min(1).max(86_400).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    const issue = (field: string, message: string) =>
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: [field], message });
    if (v.runtime === "microvm") {
      if (v.type !== "batch" && v.type !== "ai") issue("runtime", "microvm runs only type batch or ai");
      if (v.image === undefined) issue("image", "required for runtime microvm");
      if (v.command === undefined) issue("command", "required for runtime microvm");
      if (v.entry !== undefined) issue("entry", "runtime microvm runs `command` over `image`, not a module");
      if (v.replicas === 1) issue("replicas", "runtime microvm is not provable step by step: it needs replicas ≥ 2");
    } else {
      if (v.image !== undefined) issue("image", "only for runtime microvm");
      if (v.command !== undefined) issue("command", "only for runtime microvm");
    }
    if (v.type !== "static" && v.runtime !== "microvm" && v.entry === undefined)
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["entry"], message: `required for type ${v.type}` });
    if (v.type === "static" && v.publish === undefined)
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["publish"], message: "required for type static" });
    if (v.type === "static" && v.entry !== undefined)
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["entry"], message: "a static site runs no module" });
    if (v.agreement === "unanimous" && v.replicas === 1)
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["agreement"], message: "unanimous needs replicas ≥ 2" });
  });

export type Intent = z.infer<typeof IntentSchema>;

/** An intent is wrong: `field` is the dotted path of the first offending field ("" for the document). */
export class IntentError extends BaseError {
  override readonly name = "IntentError";
  readonly field: string;
  readonly problems: readonly { field: string; message: string }[];
  constructor(problems: readonly { field: string; message: string }[]) {
    const first = problems[0] ?? { field: "", message: "invalid" };
    super(
      ErrorCode.InvalidArgument,
      first.field ? `intent field "${first.field}": ${first.message}` : `intent: ${first.message}`,
      {
        details: problems
          .slice(1)
          .map((p) => `${p.field || "(document)"}: ${p.message}`)
          .join("\n"),
        meta: { field: first.field, problems },
      },
    );
    this.field = first.field;
    this.problems = problems;
  }
}

/** Validates an already parsed intent object. */
export function validateIntent(raw: unknown): Intent {
  const r = IntentSchema.safeParse(raw);
  if (r.success) return r.data;
  throw new IntentError(
    r.error.issues.map((i) =>
      i.code === z.ZodIssueCode.unrecognized_keys
        ? { field: [...i.path, i.keys[0]].join("."), message: "unknown field (a typo?)" }
        : { field: i.path.join("."), message: i.message },
    ),
  );
}

/** Parses `dsdn.yaml` / `dsdn.json` text (YAML is a superset of JSON) and validates it. */
export function parseIntent(text: string): Intent {
  if (Buffer.byteLength(text) > MAX_INTENT_BYTES)
    throw new IntentError([{ field: "", message: `the intent file exceeds ${MAX_INTENT_BYTES} bytes` }]);
  let raw: unknown;
  try {
    // No custom tags, no aliases blown up into huge documents: the parser's own limits plus the size cap.
    raw = parseYaml(text, { maxAliasCount: 16, prettyErrors: false, uniqueKeys: true });
  } catch (e) {
    throw new IntentError([{ field: "", message: `not valid YAML/JSON: ${(e as Error).message.split("\n")[0]}` }]);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw new IntentError([{ field: "", message: "the intent must be a mapping of fields" }]);
  return validateIntent(raw);
}
