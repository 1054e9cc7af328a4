/** @module Runs one official spec-test script (converted to JSON commands by wabt's wast2json) against the interpreter. */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { compileModule, type ImportResolver, instantiate, invokeFunc } from "../../../common/wasm/instantiate.js";
import { Machine } from "../../../common/wasm/machine.js";
import { type Extern, type FuncInst, Global, type Instance, Memory, Table } from "../../../common/wasm/runtime.js";
import { ExternRef, F32, F64, FUNCREF, I32, I64, type Value } from "../../../common/wasm/types.js";

interface JsonValue {
  type: string;
  value?: string;
}
interface Action {
  type: "invoke" | "get";
  module?: string;
  field: string;
  args?: JsonValue[];
}
interface Command {
  type: string;
  line: number;
  filename?: string;
  name?: string;
  as?: string;
  action?: Action;
  expected?: JsonValue[];
  text?: string;
  module_type?: "binary" | "text";
}

export interface WastReport {
  file: string;
  passed: number;
  failures: string[];
  skipped: Map<string, number>;
}

/** Converts a .wast file to JSON + .wasm files in a cache directory keyed by the file's hash. */
export function convertWast(wastPath: string): { dir: string; json: string } {
  const src = readFileSync(wastPath);
  const key = createHash("sha256").update(src).digest("hex").slice(0, 16);
  const dir = join(tmpdir(), "dsdn-wasm-spec", `${basename(wastPath, ".wast")}-${key}`);
  const json = join(dir, "test.json");
  if (existsSync(json)) return { dir, json };
  const tmp = `${dir}.tmp${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const attempts: [string, string[]][] = [
    [wastPath, []],
    [wastPath, ["--enable-all"]],
  ];
  // Debian's wabt predates the implicit table index of table.get/set/grow/fill/size (reference
  // types); writing the index 0 explicitly is the same program and lets it parse those scripts.
  const normalized = join(tmp, "normalized.wast");
  writeFileSync(normalized, src.toString("utf8").replace(/(table\.(?:get|set|grow|fill|size))(\s*[()])/g, "$1 0$2"));
  attempts.push([normalized, []]);
  let lastError: unknown;
  for (const [file, flags] of attempts) {
    try {
      execFileSync("wast2json", [...flags, file, "-o", join(tmp, "test.json")], { stdio: "pipe" });
      lastError = undefined;
      break;
    } catch (e) {
      lastError = e;
    }
  }
  if (lastError !== undefined) {
    rmSync(tmp, { recursive: true, force: true });
    throw lastError;
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return { dir, json };
}

const externs = new Map<number, ExternRef>();
function externRef(n: number): ExternRef {
  let r = externs.get(n);
  if (!r) {
    r = new ExternRef(n);
    externs.set(n, r);
  }
  return r;
}

function parseArg(v: JsonValue): Value {
  const s = v.value ?? "";
  switch (v.type) {
    case "i32":
    case "f32":
      return Number(BigInt(s)) | 0;
    case "i64":
    case "f64":
      return BigInt.asIntN(64, BigInt(s));
    case "funcref":
      if (s === "null") return null;
      throw new Error("funcref argument");
    case "externref":
      return s === "null" ? null : externRef(Number(s));
    default:
      throw new Error(`unsupported argument type ${v.type}`);
  }
}

function matches(want: JsonValue, got: Value): boolean {
  const s = want.value ?? "";
  switch (want.type) {
    case "i32":
      return typeof got === "number" && (got >>> 0).toString() === s;
    case "i64":
      return typeof got === "bigint" && BigInt.asUintN(64, got).toString() === s;
    case "f32":
      if (typeof got !== "number") return false;
      if (s === "nan:canonical") return (got & 0x7fffffff) === 0x7fc00000;
      if (s === "nan:arithmetic") return (got & 0x7fc00000) === 0x7fc00000;
      return (got >>> 0).toString() === s;
    case "f64": {
      if (typeof got !== "bigint") return false;
      const u = BigInt.asUintN(64, got);
      if (s === "nan:canonical") return (u & 0x7fffffffffffffffn) === 0x7ff8000000000000n;
      if (s === "nan:arithmetic") return (u & 0x7ff8000000000000n) === 0x7ff8000000000000n;
      return u.toString() === s;
    }
    case "funcref":
      if (s === "null") return got === null;
      return got !== null && typeof got === "object" && !(got instanceof ExternRef);
    case "externref":
      if (s === "null") return got === null;
      return got instanceof ExternRef && got.id === Number(s);
    default:
      return false;
  }
}

function show(v: Value): string {
  if (v === null) return "null";
  if (typeof v === "object") return v instanceof ExternRef ? `extern ${v.id}` : "funcref";
  return typeof v === "number" ? `${v >>> 0}` : `${BigInt.asUintN(64, v)}`;
}

/** The "spectest" host module every script may import. */
function spectest(machine: Machine): Map<string, Extern> {
  const m = new Map<string, Extern>();
  const print = (name: string, params: number[]) =>
    m.set(name, { kind: "func", value: machine.store.addHost({ params, results: [] }, () => [], name) });
  print("print", []);
  print("print_i32", [I32]);
  print("print_i64", [I64]);
  print("print_f32", [F32]);
  print("print_f64", [F64]);
  print("print_i32_f32", [I32, F32]);
  print("print_f64_f64", [F64, F64]);
  m.set("global_i32", { kind: "global", value: new Global(I32, false, 666) });
  m.set("global_i64", { kind: "global", value: new Global(I64, false, 666n) });
  m.set("global_f32", { kind: "global", value: new Global(F32, false, 0x4426a666) }); // 666.6
  m.set("global_f64", { kind: "global", value: new Global(F64, false, 0x4084d4cccccccccdn) }); // 666.6
  m.set("table", { kind: "table", value: new Table(FUNCREF, new Array(10).fill(null), 20, 20) });
  m.set("memory", { kind: "memory", value: new Memory(1, 2, 2) });
  return m;
}

/** Runs every command of one script; nothing throws out of here for a failing command. */
export function runWast(wastPath: string): WastReport {
  const report: WastReport = { file: basename(wastPath), passed: 0, failures: [], skipped: new Map() };
  const skip = (reason: string, n = 1) => report.skipped.set(reason, (report.skipped.get(reason) ?? 0) + n);
  let converted: { dir: string; json: string };
  try {
    converted = convertWast(wastPath);
  } catch (e) {
    // Debian's wabt cannot parse some reference-types scripts (implicit table index); count every
    // top-level command of the script as skipped rather than passing it.
    const text = readFileSync(wastPath, "utf8");
    const n = (text.match(/^\((module|register|invoke|assert_[a-z_]+)\b/gm) ?? []).length;
    const first = String((e as { stderr?: Buffer }).stderr ?? e).split("\n")[0];
    skip(`${report.file}: this wabt's wast2json cannot parse the script (${first.replace(/^.*error: /, "")})`, n);
    return report;
  }
  const { dir, json } = converted;
  const commands = (JSON.parse(readFileSync(json, "utf8")) as { commands: Command[] }).commands;
  const fail = (c: Command, msg: string) => report.failures.push(`${report.file}:${c.line} ${c.type}: ${msg}`);
  // One machine for the whole script: modules share a store (cross-module calls and tables).
  const machine = new Machine({
    fuel: Number.MAX_SAFE_INTEGER,
    callDepth: 1000,
    memoryPages: 65536,
    valueStack: 1 << 20,
  });
  const registry = new Map<string, Map<string, Extern>>([["spectest", spectest(machine)]]);
  const named = new Map<string, Instance>();
  let current: Instance | undefined;
  const resolve: ImportResolver = (mod, name) => registry.get(mod)?.get(name);
  const load = (file: string) => compileModule(new Uint8Array(readFileSync(join(dir, file))));

  const doAction = (a: Action): { ok: true; values: Value[] } | { ok: false; trap: string } => {
    const inst = a.module ? named.get(a.module) : current;
    if (!inst) return { ok: false, trap: "no module" };
    const ext = inst.exports.get(a.field);
    if (!ext) return { ok: false, trap: `no export ${a.field}` };
    if (a.type === "get") return { ok: true, values: [(ext.value as Global).value] };
    const f = ext.value as FuncInst;
    machine.fuelLeft = machine.limits.fuel;
    const r = invokeFunc(machine, f, (a.args ?? []).map(parseArg));
    if (r.status === "done") return { ok: true, values: r.results };
    if (r.status === "trap") return { ok: false, trap: r.trap };
    return { ok: false, trap: `unexpected status ${r.status}` };
  };

  for (const c of commands) {
    try {
      switch (c.type) {
        case "module": {
          const cm = load(c.filename as string);
          if (!cm.ok) {
            fail(c, `module did not compile: ${cm.message}`);
            current = undefined;
            break;
          }
          const r = instantiate(machine, cm.module, resolve);
          if (!r.ok) {
            fail(c, `module did not instantiate: ${r.message}`);
            current = undefined;
            break;
          }
          current = r.instance;
          if (c.name) named.set(c.name, r.instance);
          report.passed++;
          break;
        }
        case "register": {
          const inst = c.name ? named.get(c.name) : current;
          if (!inst) fail(c, "nothing to register");
          else {
            registry.set(c.as as string, inst.exports);
            report.passed++;
          }
          break;
        }
        case "action": {
          const r = doAction(c.action as Action);
          if (r.ok) report.passed++;
          else fail(c, `trapped: ${r.trap}`);
          break;
        }
        case "assert_return": {
          const r = doAction(c.action as Action);
          if (!r.ok) {
            fail(c, `${c.action?.field}: trapped ${r.trap}`);
            break;
          }
          const exp = c.expected ?? [];
          if (exp.length !== r.values.length || exp.some((e, i) => !matches(e, r.values[i] as Value))) {
            fail(
              c,
              `${c.action?.field}(${(c.action?.args ?? []).map((a) => a.value).join(",")}): got [${r.values.map(show).join(",")}], want [${exp.map((e) => `${e.type}:${e.value}`).join(",")}]`,
            );
          } else report.passed++;
          break;
        }
        case "assert_trap":
        case "assert_exhaustion": {
          if (c.action) {
            const r = doAction(c.action);
            if (r.ok)
              fail(c, `${c.action.field}: expected trap "${c.text}", returned [${r.values.map(show).join(",")}]`);
            else if (!r.trap.includes(c.text as string))
              fail(c, `${c.action.field}: trap "${r.trap}", want "${c.text}"`);
            else report.passed++;
          } else fail(c, "no action");
          break;
        }
        case "assert_malformed":
        case "assert_invalid": {
          if (c.module_type === "text") {
            skip(`${c.type} in text format (the engine takes binaries; wabt's parser owns the text format)`);
            break;
          }
          const cm = load(c.filename as string);
          const want = c.type === "assert_malformed" ? "malformed" : "invalid";
          if (cm.ok) fail(c, `module accepted, want "${c.text}"`);
          else if (cm.kind !== want) fail(c, `rejected as ${cm.kind} (${cm.message}), want ${want} "${c.text}"`);
          else report.passed++;
          break;
        }
        case "assert_unlinkable":
        case "assert_uninstantiable": {
          const cm = load(c.filename as string);
          if (!cm.ok) {
            fail(c, `module did not compile: ${cm.message}`);
            break;
          }
          const r = instantiate(machine, cm.module, resolve);
          if (r.ok) fail(c, `instantiated, want "${c.text}"`);
          else if (c.type === "assert_unlinkable" && r.kind !== "unlinkable")
            fail(c, `got ${r.kind} ${r.message}, want unlinkable`);
          else if (c.type === "assert_uninstantiable" && r.kind !== "trap")
            fail(c, `got ${r.kind} ${r.message}, want a trap`);
          else report.passed++;
          break;
        }
        default:
          skip(`command type ${c.type}`);
      }
    } catch (e) {
      fail(c, `engine threw: ${(e as Error).stack ?? e}`);
    }
  }
  return report;
}
