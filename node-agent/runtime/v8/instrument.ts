/**
 * @module Fuel instrumentation of a module for the V8 fast path, done with binaryen: every straight-line
 * region is charged, at its entry, the sum of the interpreter's cost table over the internal instructions
 * it holds (so a run that finishes charges exactly what the interpreter charges); float arithmetic results
 * are canonicalised as in common/wasm/numeric.ts; the call depth is counted as the interpreter does.
 */
import binaryen from "binaryen";
import { DEFAULT_LIMITS, type FuelCosts } from "../../../common/wasm/params.js";

/** The module uses something this instrumenter does not handle; the caller runs the interpreter instead. */
export class Unsupported extends Error {}

/** Export names of the instrumentation (chosen so they collide with none of the module's own). */
export interface Instrumented {
  readonly wasm: Uint8Array;
  readonly fuel: string;
  readonly steps: string;
  readonly memory: string;
}

export interface InstrumentOptions {
  readonly costs: FuelCosts;
  readonly callDepth: number;
  /** Effective memory maximum in pages (the module's maximum capped by the execution limit). */
  readonly memoryMax: number;
  /**
   * Per defined function, from the interpreter's compiled code: declared locals and static count of
   * internal instructions. binaryen rewrites some stack-machine code (values kept on the stack across
   * calls, for example) with scratch locals; where its IR does not match the original one to one the
   * costs would differ, so the instrumenter refuses (the interpreter runs instead).
   */
  readonly shape: readonly { locals: number; instructions: number }[];
  /** ExecLimits.bulkBytes: the piece size of memory.fill/copy/init (one interpreter step per piece). */
  readonly bulkBytes?: number;
}

// untyped on purpose: binaryen's typings omit most expression accessors
const B = binaryen as any;
type E = number;

/** Child slots per expression id: [class namespace, accessor suffix]. */
function slots(id: number): [string, string][] {
  switch (id) {
    case B.UnaryId:
      return [["Unary", "Value"]];
    case B.BinaryId:
      return [
        ["Binary", "Left"],
        ["Binary", "Right"],
      ];
    case B.LoadId:
      return [["Load", "Ptr"]];
    case B.StoreId:
      return [
        ["Store", "Ptr"],
        ["Store", "Value"],
      ];
    case B.LocalSetId:
      return [["LocalSet", "Value"]];
    case B.GlobalSetId:
      return [["GlobalSet", "Value"]];
    case B.DropId:
      return [["Drop", "Value"]];
    case B.ReturnId:
      return [["Return", "Value"]];
    case B.SelectId:
      return [
        ["Select", "IfTrue"],
        ["Select", "IfFalse"],
        ["Select", "Condition"],
      ];
    case B.BreakId:
      return [
        ["Break", "Value"],
        ["Break", "Condition"],
      ];
    case B.SwitchId:
      return [
        ["Switch", "Value"],
        ["Switch", "Condition"],
      ];
    case B.CallIndirectId:
      return [["CallIndirect", "Target"]];
    case B.MemoryGrowId:
      return [["MemoryGrow", "Delta"]];
    case B.MemoryFillId:
      return [
        ["MemoryFill", "Dest"],
        ["MemoryFill", "Value"],
        ["MemoryFill", "Size"],
      ];
    case B.MemoryCopyId:
      return [
        ["MemoryCopy", "Dest"],
        ["MemoryCopy", "Source"],
        ["MemoryCopy", "Size"],
      ];
    case B.MemoryInitId:
      return [
        ["MemoryInit", "Dest"],
        ["MemoryInit", "Offset"],
        ["MemoryInit", "Size"],
      ];
    case B.TableGetId:
      return [["TableGet", "Index"]];
    case B.TableSetId:
      return [
        ["TableSet", "Index"],
        ["TableSet", "Value"],
      ];
    case B.RefIsNullId:
      return [["RefIsNull", "Value"]];
    default:
      return [];
  }
}

/** Expression ids without children that cost one base instruction. */
const LEAVES = () =>
  new Set<number>([
    B.ConstId,
    B.LocalGetId,
    B.GlobalGetId,
    B.MemorySizeId,
    B.UnreachableId,
    B.RefNullId,
    B.RefFuncId,
    B.TableSizeId,
    B.DataDropId,
  ]);

function children(e: E): E[] {
  const id = B.getExpressionId(e);
  const out: E[] = [];
  for (const [cls, s] of slots(id)) {
    const c = B[cls][`get${s}`](e);
    if (c) out.push(c);
  }
  if (id === B.CallId || id === B.CallIndirectId) {
    const cls = id === B.CallId ? "Call" : "CallIndirect";
    const n = B[cls].getNumOperands(e);
    const ops: E[] = [];
    for (let i = 0; i < n; i++) ops.push(B[cls].getOperandAt(e, i));
    // operands are evaluated before the target
    return [...ops, ...out];
  }
  return out;
}

/** Instruments `bytes` (already validated by common/wasm) and returns the new binary. */
export function instrument(bytes: Uint8Array, opts: InstrumentOptions): Instrumented {
  let mod: binaryen.Module;
  try {
    mod = binaryen.readBinary(bytes);
  } catch (e) {
    throw new Unsupported(`binaryen cannot read the module: ${(e as Error).message}`);
  }
  try {
    const F = binaryen.Features;
    // exactly the interpreter's feature set (anything more and binaryen may emit encodings V8 refuses)
    mod.setFeatures(
      F.MVP |
        F.MutableGlobals |
        F.SignExt |
        F.BulkMemory |
        (F as unknown as { BulkMemoryOpt: number }).BulkMemoryOpt |
        F.NontrappingFPToInt |
        F.Multivalue |
        F.ReferenceTypes,
    );
    return instrumentModule(mod, opts);
  } catch (e) {
    // binaryen reports some problems by throwing non-Error values: never let them crash the node
    if (e instanceof Unsupported) throw e;
    throw new Unsupported(`binaryen failed: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    mod.dispose();
  }
}

function instrumentModule(mod: binaryen.Module, opts: InstrumentOptions): Instrumented {
  const { costs } = opts;
  const bulkBytes = Math.max(1, Math.min(opts.bulkBytes ?? DEFAULT_LIMITS.bulkBytes, 0x7fffffff) | 0);
  const leaves = LEAVES();
  const i64 = binaryen.i64;
  const i32 = binaryen.i32;
  if (mod.getStart()) throw new Unsupported("start function");
  const memories = mod.hasMemory() ? 1 : 0;
  for (let i = 0; i < mod.getNumGlobals(); i++) {
    const g = binaryen.getGlobalInfo(mod.getGlobalByIndex(i));
    if (g.module) throw new Unsupported("imported global");
  }
  if (memories === 1 && mod.getMemoryInfo().module) throw new Unsupported("imported memory");
  // Fresh internal and export names: the module's own (name section, exports) may use any name.
  const taken = new Set<string>();
  for (let i = 0; i < mod.getNumGlobals(); i++) taken.add(binaryen.getGlobalInfo(mod.getGlobalByIndex(i)).name);
  for (let i = 0; i < mod.getNumExports(); i++) taken.add(binaryen.getExportInfo(mod.getExportByIndex(i)).name);
  const fresh = (base: string): string => {
    let n = base;
    for (let k = 0; taken.has(n); k++) n = `${base}_${k}`;
    taken.add(n);
    return n;
  };
  const FUEL_GLOBAL = fresh("__dsdn_fuel");
  const STEPS_GLOBAL = fresh("__dsdn_steps");
  const DEPTH_GLOBAL = fresh("__dsdn_depth");
  const MEMORY_EXPORT = fresh("__dsdn_memory");
  mod.addGlobal(FUEL_GLOBAL, i64, true, mod.i64.const(BigInt(0)));
  mod.addGlobal(STEPS_GLOBAL, i64, true, mod.i64.const(BigInt(0)));
  mod.addGlobal(DEPTH_GLOBAL, i32, true, mod.i32.const(0));
  mod.addGlobalExport(FUEL_GLOBAL, FUEL_GLOBAL);
  mod.addGlobalExport(STEPS_GLOBAL, STEPS_GLOBAL);
  if (memories === 1) mod.addMemoryExport("0", MEMORY_EXPORT);

  // Unary and binary op numbers overlap in binaryen, so each kind has its own sets (key: id * 1000 + op).
  const opKey = (id: number, name: string) => id * 1000 + (B[name] as number);
  const U = (n: string) => opKey(B.UnaryId, n);
  const Bi = (n: string) => opKey(B.BinaryId, n);
  const divOps = new Set<number>([
    ...["DivSInt32", "DivUInt32", "RemSInt32", "RemUInt32", "DivSInt64", "DivUInt64", "RemSInt64", "RemUInt64"].map(Bi),
    ...["DivFloat32", "DivFloat64"].map(Bi),
    ...["SqrtFloat32", "SqrtFloat64"].map(U),
  ]);
  const floatArith = new Set<number>([
    ...["Add", "Sub", "Mul", "Div", "Min", "Max"].flatMap((n) => [Bi(`${n}Float32`), Bi(`${n}Float64`)]),
    ...["Sqrt", "Ceil", "Floor", "Trunc", "Nearest"].flatMap((n) => [U(`${n}Float32`), U(`${n}Float64`)]),
    U("DemoteFloat64"),
    U("PromoteFloat32"),
  ]);
  const keyOf = (e: E) => B.getExpressionId(e) * 1000 + (B.getExpressionInfo(e).op as number);
  const importFuncs = new Set<string>();
  for (let i = 0; i < mod.getNumFunctions(); i++) {
    const f = binaryen.getFunctionInfo(mod.getFunctionByIndex(i));
    if (f.module) importFuncs.add(f.name);
  }

  /** [fuel, steps] of a control-free expression tree (the interpreter's internal instructions). */
  const cost = (e: E): [number, number] => {
    const id = B.getExpressionId(e);
    let fuel: number;
    let steps = 1;
    if (id === B.NopId) return [0, 0];
    if (leaves.has(id)) fuel = costs.base;
    else if (id === B.LoadId || id === B.StoreId) fuel = costs.memory;
    else if (id === B.CallId || id === B.CallIndirectId) fuel = costs.call;
    else if (id === B.UnaryId || id === B.BinaryId) {
      fuel = divOps.has(keyOf(e)) ? costs.divide : costs.base;
    } else if (
      [
        B.LocalSetId,
        B.GlobalSetId,
        B.DropId,
        B.SelectId,
        B.MemoryGrowId,
        B.MemoryFillId,
        B.MemoryCopyId,
        B.MemoryInitId,
        B.TableGetId,
        B.TableSetId,
        B.RefIsNullId,
        B.ReturnId,
        B.BreakId,
        B.SwitchId,
      ].includes(id)
    )
      fuel = costs.base;
    else throw new Unsupported(`expression kind ${id}`);
    for (const c of children(e)) {
      const cid = B.getExpressionId(c);
      if ([B.BlockId, B.LoopId, B.IfId, B.BreakId, B.SwitchId, B.ReturnId].includes(cid))
        throw new Unsupported("control flow nested inside an expression");
      const [f, s] = cost(c);
      fuel += f;
      steps += s;
    }
    if (id === B.DropId && B.getExpressionInfo(e).type === binaryen.unreachable) void 0;
    return [fuel, steps];
  };

  let countSteps = (_n: number) => {};
  const charge = (fuel: number, steps: number): E[] => {
    countSteps(steps);
    if (fuel === 0 && steps === 0) return [];
    const f = () => mod.global.get(FUEL_GLOBAL, i64);
    const c = () => mod.i64.const(BigInt(fuel));
    return [
      mod.if(mod.i64.lt_u(f(), c()), mod.unreachable()),
      mod.global.set(FUEL_GLOBAL, mod.i64.sub(f(), c())),
      mod.global.set(STEPS_GLOBAL, mod.i64.add(mod.global.get(STEPS_GLOBAL, i64), mod.i64.const(BigInt(steps)))),
    ];
  };
  /** Charges a fuel amount computed at run time (i64 expression). */
  const chargeDyn = (amount: E, tmp: number): E[] => [
    mod.local.set(tmp, amount),
    mod.if(mod.i64.lt_u(mod.global.get(FUEL_GLOBAL, i64), mod.local.get(tmp, i64)), mod.unreachable()),
    mod.global.set(FUEL_GLOBAL, mod.i64.sub(mod.global.get(FUEL_GLOBAL, i64), mod.local.get(tmp, i64))),
  ];

  let defined = 0;
  for (let fi = 0; fi < mod.getNumFunctions(); fi++) {
    const fref = mod.getFunctionByIndex(fi);
    const info = binaryen.getFunctionInfo(fref);
    if (info.module) continue;
    const want = opts.shape[defined++];
    if (!want || want.locals !== info.vars.length)
      throw new Unsupported("binaryen's IR of a function differs from the original (scratch locals)");
    let staticSteps = 0;
    countSteps = (n) => {
      staticSteps += n;
    };
    const results = binaryen.expandType(info.results);
    if (results.length > 1) throw new Unsupported("multi-value function results");
    const nParams = binaryen.expandType(info.params).length;
    const nLocals = info.vars.length;
    const tmps = new Map<number, number>();
    const tmp = (t: number, k = 0): number => {
      const key = t * 8 + k;
      let i = tmps.get(key);
      if (i === undefined) {
        i = B._BinaryenFunctionAddVar(fref, t) as number;
        tmps.set(key, i);
      }
      return i;
    };
    const exitDepth = () =>
      mod.global.set(DEPTH_GLOBAL, mod.i32.sub(mod.global.get(DEPTH_GLOBAL, i32), mod.i32.const(1)));

    /** Rewrites nested expressions: float canonicalisation, memory.grow and bulk-memory charges. */
    const rw = (e: E): E => {
      const id = B.getExpressionId(e);
      for (const [cls, s] of slots(id)) {
        const c = B[cls][`get${s}`](e);
        if (c) {
          const n = rw(c);
          if (n !== c) B[cls][`set${s}`](e, n);
        }
      }
      if (id === B.CallId || id === B.CallIndirectId) {
        const cls = id === B.CallId ? "Call" : "CallIndirect";
        const n = B[cls].getNumOperands(e);
        for (let i = 0; i < n; i++) {
          const c = B[cls].getOperandAt(e, i);
          const r = rw(c);
          if (r !== c) B[cls].setOperandAt(e, i, r);
        }
      }
      if ((id === B.UnaryId || id === B.BinaryId) && floatArith.has(keyOf(e))) {
        const t = B.getExpressionInfo(e).type as number;
        const l = tmp(t);
        const is32 = t === binaryen.f32;
        const canon = is32 ? mod.f32.const_bits(0x7fc00000) : mod.f64.const_bits(0x7ff8000000000000n);
        const ne = is32
          ? mod.f32.ne(mod.local.get(l, t), mod.local.get(l, t))
          : mod.f64.ne(mod.local.get(l, t), mod.local.get(l, t));
        return mod.select(ne, canon, mod.local.tee(l, e, t));
      }
      if (id === B.MemoryGrowId) {
        const d = tmp(i32, 1);
        const amt = tmp(i64, 2);
        const delta = B.MemoryGrow.getDelta(e);
        B.MemoryGrow.setDelta(e, mod.local.get(d, i32));
        const fits = mod.i64.le_u(
          mod.i64.add(mod.i64.extend_u(mod.memory.size()), mod.i64.extend_u(mod.local.get(d, i32))),
          mod.i64.const(BigInt(opts.memoryMax)),
        );
        const grown = tmp(i32, 3);
        return mod.block(
          null,
          [
            mod.local.set(d, delta),
            mod.if(
              fits,
              mod.block(null, [
                mod.if(
                  mod.local.get(d, i32),
                  mod.block(
                    null,
                    chargeDyn(
                      mod.i64.mul(mod.i64.extend_u(mod.local.get(d, i32)), mod.i64.const(BigInt(costs.growPerPage))),
                      amt,
                    ),
                  ),
                ),
                mod.local.set(grown, e),
                // V8 refused memory the interpreter would grant: not comparable, stop (the caller falls back)
                mod.if(mod.i32.eq(mod.local.get(grown, i32), mod.i32.const(-1)), mod.unreachable()),
              ]),
              mod.local.set(grown, mod.i32.const(-1)),
            ),
            mod.local.get(grown, i32),
          ],
          i32,
        );
      }
      if (id === B.MemoryFillId || id === B.MemoryCopyId || id === B.MemoryInitId) {
        const cls = id === B.MemoryFillId ? "MemoryFill" : id === B.MemoryCopyId ? "MemoryCopy" : "MemoryInit";
        const sl = slots(id);
        const pre: E[] = [];
        sl.forEach(([, s], k) => {
          const l = tmp(i32, 4 + k);
          pre.push(mod.local.set(l, B[cls][`get${s}`](e)));
          B[cls][`set${s}`](e, mod.local.get(l, i32));
        });
        const size = tmp(i32, 6);
        // The interpreter runs it as max(1, ceil(n / bulkBytes)) steps (common/wasm/bulkPiece.ts): the
        // static charge holds one step and its base cost; here the q = that - 1 further steps, their base
        // cost and the per-piece byte charge: q · floor(cap / bytesPerFuel) + floor((n - q · cap) / bytesPerFuel).
        const n64 = () => mod.i64.extend_u(mod.local.get(size, i32));
        const q = tmp(i64, 3);
        const cap = () => mod.i64.const(BigInt(bulkBytes));
        const perFuel = () => mod.i64.const(BigInt(costs.bytesPerFuel));
        return mod.block(null, [
          ...pre,
          mod.local.set(
            q,
            mod.select(
              mod.local.get(size, i32),
              mod.i64.div_u(mod.i64.sub(n64(), mod.i64.const(1n)), cap()),
              mod.i64.const(0n),
            ),
          ),
          ...chargeDyn(
            mod.i64.add(
              mod.i64.mul(
                mod.local.get(q, i64),
                mod.i64.const(BigInt(costs.base) + BigInt(bulkBytes) / BigInt(costs.bytesPerFuel)),
              ),
              mod.i64.div_u(mod.i64.sub(n64(), mod.i64.mul(mod.local.get(q, i64), cap())), perFuel()),
            ),
            tmp(i64, 2),
          ),
          mod.global.set(STEPS_GLOBAL, mod.i64.add(mod.global.get(STEPS_GLOBAL, i64), mod.local.get(q, i64))),
          e,
        ]);
      }
      if (
        [B.TableGrowId, B.TableFillId, B.TableCopyId, B.TableInitId, B.TupleMakeId, B.TupleExtractId, B.PopId].includes(
          id,
        )
      )
        throw new Unsupported(`expression kind ${id}`);
      return e;
    };

    const isControl = (e: E) => [B.BlockId, B.LoopId, B.IfId].includes(B.getExpressionId(e));
    const isImportCall = (e: E) => B.getExpressionId(e) === B.CallId && importFuncs.has(B.Call.getTarget(e));
    const isSkipping = (e: E) =>
      [B.BreakId, B.SwitchId, B.ReturnId, B.UnreachableId].includes(B.getExpressionId(e)) || isImportCall(e);

    /** Appends statements after a (possibly value-producing) list, keeping the value. */
    const appendAfter = (list: E[], type: number, extra: E[]): E[] => {
      if (extra.length === 0) return list;
      const last = list[list.length - 1];
      if (type === binaryen.none || type === binaryen.unreachable || last === undefined) return [...list, ...extra];
      const l = tmp(type, 7);
      return [...list.slice(0, -1), mod.local.set(l, last), ...extra, mod.local.get(l, type)];
    };

    /**
     * Instruments a statement list: regions split after control constructs and after statements that
     * may leave the list (branches, return, host calls). `end` is charged when the list's end is reached.
     */
    const list = (
      stmts: E[],
      type: number,
      entry: [number, number],
      end: [number, number],
      endExtra: E[] = [],
    ): E[] => {
      const out: E[] = [];
      let regionAt = 0;
      let rf = entry[0];
      let rs = entry[1];
      const close = () => {
        out.splice(regionAt, 0, ...charge(rf, rs));
        rf = 0;
        rs = 0;
        regionAt = out.length;
      };
      for (const s of stmts) {
        const id = B.getExpressionId(s);
        if (isControl(s)) {
          close();
          out.push(control(s));
          regionAt = out.length;
          continue;
        }
        // local.set/drop/global.set/return whose value is a control construct: the construct first
        const vslot =
          id === B.LocalSetId
            ? "LocalSet"
            : id === B.DropId
              ? "Drop"
              : id === B.GlobalSetId
                ? "GlobalSet"
                : id === B.ReturnId
                  ? "Return"
                  : null;
        const v = vslot ? B[vslot].getValue(s) : 0;
        if (vslot && v && isControl(v)) {
          close();
          B[vslot].setValue(s, control(v));
          rf += costs.base;
          rs += 1;
          out.push(id === B.ReturnId ? ret(s) : s);
          if (id === B.ReturnId) close();
          continue;
        }
        const [f, st] = cost(s);
        rf += f;
        rs += st;
        out.push(id === B.ReturnId ? ret(s) : rw(s));
        if (isSkipping(s)) close();
      }
      rf += end[0];
      rs += end[1];
      if (regionAt === out.length) {
        // the last region holds no statement: charge after the last one
        const tail = [...charge(rf, rs), ...endExtra];
        return appendAfter(out, type, tail);
      }
      close();
      return appendAfter(out, type, endExtra);
    };

    const ret = (s: E): E => {
      const v = B.Return.getValue(s);
      if (!v) return mod.block(null, [exitDepth(), s]);
      const t = B.getExpressionInfo(v).type as number;
      const l = tmp(t, 7);
      const v2 = B.getExpressionId(v) === B.LocalGetId ? v : rw(v);
      B.Return.setValue(s, mod.local.get(l, t));
      return mod.block(null, [mod.local.set(l, v2), exitDepth(), s]);
    };

    /** Statements of an arm/body: an unnamed block's children, else the expression itself. */
    const asList = (e: E): E[] => {
      if (B.getExpressionId(e) === B.BlockId && !B.Block.getName(e)) return B.Block.getChildren(e);
      return [e];
    };

    const control = (e: E): E => {
      const id = B.getExpressionId(e);
      const type = B.getExpressionInfo(e).type as number;
      if (id === B.BlockId) {
        const body = list(B.Block.getChildren(e), type, [0, 0], [0, 0]);
        return mod.block(B.Block.getName(e), body, type);
      }
      if (id === B.LoopId) {
        const body = B.Loop.getBody(e);
        const t = B.getExpressionInfo(body).type as number;
        B.Loop.setBody(e, mod.block(null, list(asList(body), t, [0, 0], [0, 0]), t));
        return e;
      }
      // if: the condition and BR_UNLESS belong to the enclosing region (handled by the caller via cost)
      const cond = B.If.getCondition(e);
      const yes = B.If.getIfTrue(e);
      const no = B.If.getIfFalse(e);
      const condCost = cost(cond);
      B.If.setCondition(e, rw(cond));
      B.If.setIfTrue(e, mod.block(null, list(asList(yes), type, [0, 0], no ? [costs.base, 1] : [0, 0]), type));
      if (no) B.If.setIfFalse(e, mod.block(null, list(asList(no), type, [0, 0], [0, 0]), type));
      // charge the condition and BR_UNLESS just before the if
      return mod.block(null, [...charge(condCost[0] + costs.base, condCost[1] + 1), e], type);
    };

    const body = info.body;
    const resType = info.results;
    const enter = [
      mod.if(mod.i32.ge_u(mod.global.get(DEPTH_GLOBAL, i32), mod.i32.const(opts.callDepth)), mod.unreachable()),
      mod.global.set(DEPTH_GLOBAL, mod.i32.add(mod.global.get(DEPTH_GLOBAL, i32), mod.i32.const(1))),
    ];
    const stmts = list(asList(body), resType, [nLocals * costs.perLocal, 0], [costs.base, 1], [exitDepth()]);
    void nParams;
    const newBody = mod.block(null, [...enter, ...stmts], resType);
    if (staticSteps !== want.instructions)
      throw new Unsupported("binaryen's IR of a function differs from the original (instruction count)");
    B._BinaryenFunctionSetBody(fref, newBody);
  }
  if (!mod.validate()) throw new Unsupported("instrumented module does not validate (instrumenter limitation)");
  return { wasm: mod.emitBinary(), fuel: FUEL_GLOBAL, steps: STEPS_GLOBAL, memory: MEMORY_EXPORT };
}
