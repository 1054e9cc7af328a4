/**
 * @module What `dsdn deploy` / `dsdn estimate` run: a directory with `dsdn.yaml` (or `.yml`, `.json`), or a
 * `.wasm` module with `--input FILE` (an implicit `type: batch` intent). Reads the files, bounded by size.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { isValidCid } from "../../common/cid.js";
import { BaseError, ErrorCode } from "../../common/errors.js";
import { MAX_MODULE_BYTES } from "../../common/wasm/run.js";
import { type Intent, IntentError, parseIntent, validateIntent } from "../../node-agent/compute/intent.js";
import { packImage } from "../../node-agent/compute/packImage.js";

export const MAX_INPUT_BYTES = 1 << 30;
const INTENT_FILES = ["dsdn.yaml", "dsdn.yml", "dsdn.json"];

export interface WorkloadFiles {
  readonly intent: Intent;
  /** Where the intent came from (a file path, or "command line"). */
  readonly intentSource: string;
  readonly module: Uint8Array;
  readonly input: Uint8Array;
  readonly modulePath: string;
  readonly inputPath: string | null;
}

function readBounded(path: string, max: number, field: string): Uint8Array {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new IntentError([{ field, message: `no such file ${path}` }]);
  }
  if (size > max) throw new BaseError(ErrorCode.TooLarge, `${field} ${path} is ${size} bytes, at most ${max}`);
  return new Uint8Array(readFileSync(path));
}

/** The intent of a deploy target (a directory's intent file, or a module with flags) and where its paths start. */
export function readIntent(
  target: string,
  opts: { input?: string; type?: string; replicas?: string } = {},
): { intent: Intent; base: string; intentSource: string } {
  const abs = resolve(target);
  let intent: Intent;
  let base: string;
  let intentSource: string;
  if (existsSync(abs) && statSync(abs).isDirectory()) {
    const file = INTENT_FILES.map((f) => join(abs, f)).find((f) => existsSync(f));
    if (!file) throw new IntentError([{ field: "", message: `no ${INTENT_FILES.join(" / ")} in ${abs}` }]);
    intent = parseIntent(readFileSync(file, "utf8"));
    if (opts.input !== undefined) intent = validateIntent({ ...intent, input: resolve(opts.input) });
    base = abs;
    intentSource = file;
  } else {
    intent = validateIntent({
      type: opts.type ?? "batch",
      entry: abs,
      ...(opts.input !== undefined ? { input: resolve(opts.input) } : {}),
      ...(opts.replicas !== undefined ? { replicas: Number(opts.replicas) } : {}),
    });
    base = dirname(abs);
    intentSource = "command line";
  }
  return { intent, base, intentSource };
}

export function loadWorkload(
  target: string,
  opts: { input?: string; type?: string; replicas?: string } = {},
): WorkloadFiles {
  const { intent, base, intentSource } = readIntent(target, opts);
  if (intent.runtime === "microvm")
    throw new IntentError([{ field: "runtime", message: "a microvm workload has no WASM module to load or dry-run" }]);
  if (!intent.entry)
    throw new IntentError([
      { field: "entry", message: "nothing to run (a static site is published with dsdn deploy DIR)" },
    ]);
  const modulePath = resolve(base, intent.entry);
  const inputPath = intent.input ? resolve(base, intent.input) : null;
  return {
    intent,
    intentSource,
    module: readBounded(modulePath, MAX_MODULE_BYTES, "entry"),
    input: inputPath ? readBounded(inputPath, MAX_INPUT_BYTES, "input") : new Uint8Array(0),
    modulePath,
    inputPath,
  };
}

/** A `runtime: microvm` workload: its image (a directory packed into a deterministic tar, or a CID) and its input. */
export interface MicroVMWorkloadFiles {
  readonly intent: Intent;
  readonly intentSource: string;
  /**
   * A directory (absolute) and its tar, exactly what a node's strict unpack accepts; or the CID of an already
   * uploaded image tar (read back and checked by imageByCid.ts before it is signed).
   */
  readonly image: { readonly dir: string; readonly tar: Uint8Array } | { readonly cid: string };
  readonly input: Uint8Array;
  readonly inputPath: string | null;
}

/**
 * Reads a microvm project: `image` is a directory (relative to the intent file), packed here, or — when no such
 * directory exists — the CID of an uploaded image tar.
 */
export function loadMicroVMWorkload(target: string, opts: { input?: string } = {}): MicroVMWorkloadFiles {
  const { intent, base, intentSource } = readIntent(target, opts);
  if (intent.runtime !== "microvm" || !intent.image)
    throw new IntentError([{ field: "runtime", message: "not a microvm workload" }]);
  const imageDir = resolve(base, intent.image);
  const byCid = !existsSync(imageDir) && isValidCid(intent.image);
  if (!byCid && !existsSync(imageDir))
    throw new IntentError([
      {
        field: "image",
        message: /^baf[a-z2-7]+$/.test(intent.image)
          ? `"${intent.image}" is neither a directory nor a CIDv1 raw sha2-256`
          : `no such directory ${imageDir} (an image is a directory or the CID of an uploaded tar)`,
      },
    ]);
  const inputPath = intent.input ? resolve(base, intent.input) : null;
  return {
    intent,
    intentSource,
    image: byCid ? { cid: intent.image } : { dir: imageDir, tar: packImage(imageDir) },
    input: inputPath ? readBounded(inputPath, MAX_INPUT_BYTES, "input") : new Uint8Array(0),
    inputPath,
  };
}
