/**
 * @module verifyStep(preStateCommitment, proof) → postStateCommitment: pure (no Node-only API), needs
 * nothing but the proof and the protocol's fuel costs. Checks the clear fields against the pre-state
 * hash and every witness against its root, runs step.ts on the proven parts, and hashes the result.
 * A proof that does not match throws StepProofError.
 */

import { DEFAULT_HOST_LIMITS, type HostLimits } from "../hostState.js";
import { costTable, DEFAULT_FUEL_COSTS, DEFAULT_LIMITS, type ExecLimits, type FuelCosts } from "../params.js";
import { PAGE_SIZE } from "../runtime.js";
import { equal, type Hash, hashLeaf } from "../trace/hashing.js";
import { LEAF_BYTES } from "../trace/memoryMerkle.js";
import { STATUS } from "../trace/stateHash.js";
import type { Value } from "../types.js";
import { witnessedHostCall } from "./hostVerify.js";
import { ChunkMemory, readChunked, writeChunked } from "./memChunks.js";
import type { StepProof, ValueWitness } from "./proof.js";
import { EMPTY_LEAF, PartialTree, StepProofError } from "./sparseTree.js";
import { step } from "./step.js";
import type { CallerFrame, StepCtx } from "./stepCtx.js";
import {
  addrLeaf,
  CODE_CHUNK,
  CODE_DEPTH,
  CONSTS_DEPTH,
  chunkLeaf,
  constLeaf,
  DATA_DEPTH,
  ELEMS_DEPTH,
  EMPTY_DATA_ROOT,
  EMPTY_ELEMS_ROOT,
  FUNCS_DEPTH,
  funcLeaf,
  GLOBALS_DEPTH,
  hashStepState,
  MEMORY_DEPTH,
  NO_FUNC,
  pushFrame,
  SEGS_DEPTH,
  STACK_DEPTH,
  type StepState,
  segLeaf,
  TABLES_DEPTH,
  TYPES_DEPTH,
  tableLeaf,
  valueLeaf,
} from "./stepState.js";
import { regsOf } from "./stepTypes.js";

const leafOf = (v: Value | undefined): Hash => (v === undefined ? EMPTY_LEAF : valueLeaf(v));

function valueTree(root: Hash, depth: number, ws: readonly ValueWitness[], what: string) {
  const tree = new PartialTree(
    root,
    depth,
    ws.map((w) => ({ index: w.index, leaf: leafOf(w.value), path: w.path })),
    what,
  );
  const values = new Map<number, Value | undefined>(ws.map((w) => [w.index, w.value]));
  return {
    get(i: number): Value {
      tree.leaf(i);
      const v = values.get(i);
      if (v === undefined) throw new StepProofError(`${what}: slot ${i} is empty`);
      return v;
    },
    set(i: number, v: Value | undefined): void {
      tree.set(i, leafOf(v));
      values.set(i, v);
    },
    root: () => tree.root(),
  };
}

/** The proof's data and element segments, checked against the pre-state's segment roots. */
function segmentViews(s: StepState, proof: StepProof) {
  const datas = new PartialTree(
    s.datasRoot,
    SEGS_DEPTH,
    proof.datas.map((w) => ({ index: w.index, leaf: segLeaf("data", w.len, w.root), path: w.path })),
    "data segments",
  );
  const elemSegs = new PartialTree(
    s.elemSegsRoot,
    SEGS_DEPTH,
    proof.elemSegs.map((w) => ({ index: w.index, leaf: segLeaf("elem", w.len, w.root), path: w.path })),
    "element segments",
  );
  const dataLens = new Map(proof.datas.map((w) => [w.index, w.len]));
  const chunkTrees = new Map<number, { tree: PartialTree; bytes: Map<number, Uint8Array> }>();
  for (const w of proof.datas) {
    const mine = proof.dataChunks.filter((c) => c.seg === w.index);
    const tree = new PartialTree(
      w.root,
      DATA_DEPTH,
      mine.map((c) => {
        if (c.bytes.length !== LEAF_BYTES) throw new StepProofError("data chunk of the wrong size");
        return { index: c.index, leaf: hashLeaf(c.bytes), path: c.path };
      }),
      `data segment ${w.index}`,
    );
    chunkTrees.set(w.index, { tree, bytes: new Map(mine.map((c) => [c.index, c.bytes])) });
  }
  if (proof.dataChunks.some((c) => !chunkTrees.has(c.seg)))
    throw new StepProofError("a data chunk of a segment not in the proof");
  const elemLens = new Map(proof.elemSegs.map((w) => [w.index, w.len]));
  const elemTrees = new Map(
    proof.elemSegs.map((w) => [
      w.index,
      valueTree(
        w.root,
        ELEMS_DEPTH,
        proof.segElems.filter((e) => e.seg === w.index),
        `element segment ${w.index}`,
      ),
    ]),
  );
  if (proof.segElems.some((e) => !elemTrees.has(e.seg)))
    throw new StepProofError("a segment element of a segment not in the proof");
  return {
    data(seg: number) {
      datas.leaf(seg);
      const t = chunkTrees.get(seg) as NonNullable<ReturnType<typeof chunkTrees.get>>;
      return {
        len: dataLens.get(seg) as number,
        chunk(i: number): Uint8Array {
          t.tree.leaf(i);
          return t.bytes.get(i) as Uint8Array;
        },
      };
    },
    dropData(seg: number) {
      datas.set(seg, segLeaf("data", 0, EMPTY_DATA_ROOT));
      dataLens.set(seg, 0);
    },
    elem(seg: number) {
      elemSegs.leaf(seg);
      const tree = elemTrees.get(seg) as NonNullable<ReturnType<typeof elemTrees.get>>;
      return { len: elemLens.get(seg) as number, get: (i: number) => tree.get(i) };
    },
    dropElem(seg: number) {
      elemSegs.set(seg, segLeaf("elem", 0, EMPTY_ELEMS_ROOT));
      elemLens.set(seg, 0);
    },
    datasRoot: () => datas.root(),
    elemSegsRoot: () => elemSegs.root(),
  };
}

/**
 * Most witnesses one proof may carry (all lists together): a step touches a handful of slots, except a
 * call, which pushes the callee's declared locals (bounded by validation); anything beyond is refused
 * before any hashing.
 */
export const MAX_PROOF_ITEMS = 1 << 17;

const costCache = new WeakMap<FuelCosts, Uint32Array>();

export function verifyStep(
  pre: Hash,
  proof: StepProof,
  costs: FuelCosts = DEFAULT_FUEL_COSTS,
  limits: ExecLimits = DEFAULT_LIMITS,
  hostLimits: HostLimits = DEFAULT_HOST_LIMITS,
): Hash {
  const items =
    (proof.host ? proof.host.input.length + 1 : 0) +
    proof.code.length +
    proof.consts.length +
    proof.stack.length +
    proof.globals.length +
    proof.memory.length +
    proof.types.length +
    proof.tables.length +
    proof.elems.length +
    proof.datas.length +
    proof.dataChunks.length +
    proof.elemSegs.length +
    proof.segElems.length;
  if (items > MAX_PROOF_ITEMS)
    throw new StepProofError(`the proof carries ${items} witnesses (at most ${MAX_PROOF_ITEMS})`);
  const s = proof.state;
  if (!equal(hashStepState(s), pre))
    throw new StepProofError("the proof's state does not hash to the pre-state commitment");
  if (s.status !== STATUS.running || s.func === NO_FUNC) throw new StepProofError("the pre-state is not running");
  const meta = proof.meta;
  const funcs = new PartialTree(
    s.funcsRoot,
    FUNCS_DEPTH,
    [{ index: s.func, leaf: funcLeaf(meta), path: proof.metaPath }],
    "functions",
  );
  funcs.leaf(s.func);
  if (meta.kind !== "wasm") throw new StepProofError("the current function is not a wasm function");
  const code = new PartialTree(
    meta.codeRoot,
    CODE_DEPTH,
    proof.code.map((c) => {
      if (c.words.length > CODE_CHUNK) throw new StepProofError("code chunk too long");
      return { index: c.index, leaf: chunkLeaf(c.words), path: c.path };
    }),
    "code",
  );
  const words = new Map(proof.code.map((c) => [c.index, c.words]));
  const consts = new PartialTree(
    meta.constsRoot,
    CONSTS_DEPTH,
    proof.consts.map((c) => ({ index: c.index, leaf: constLeaf(c.value), path: c.path })),
    "constants",
  );
  const constVals = new Map(proof.consts.map((c) => [c.index, c.value]));
  const stack = valueTree(s.stackRoot, STACK_DEPTH, proof.stack, "stack");
  const globals = valueTree(s.globalsRoot, GLOBALS_DEPTH, proof.globals, "globals");
  const memTree = new PartialTree(
    s.memRoot,
    MEMORY_DEPTH,
    proof.memory.map((c) => {
      if (c.bytes.length !== LEAF_BYTES) throw new StepProofError("memory chunk of the wrong size");
      return { index: c.index, leaf: hashLeaf(c.bytes), path: c.path };
    }),
    "memory",
  );
  const chunks = new Map(proof.memory.map((c) => [c.index, c.bytes.slice()]));
  const chunk = (i: number): Uint8Array => {
    memTree.leaf(i);
    return chunks.get(i) as Uint8Array;
  };
  const types = new PartialTree(
    meta.typesRoot,
    TYPES_DEPTH,
    proof.types.map((t) => ({ index: t.index, leaf: t.sig, path: t.path })),
    "types",
  );
  const tablesTree = new PartialTree(
    s.tablesRoot,
    TABLES_DEPTH,
    proof.tables.map((t) => ({ index: t.index, leaf: tableLeaf(t.size, t.max, t.elemsRoot), path: t.path })),
    "tables",
  );
  const tableViews = new Map(
    proof.tables.map((t) => [
      t.index,
      {
        size: t.size,
        max: t.max,
        elems: valueTree(
          t.elemsRoot,
          ELEMS_DEPTH,
          proof.elems.filter((e) => e.table === t.index),
          `table ${t.index}`,
        ),
      },
    ]),
  );
  const table = (t: number) => {
    tablesTree.leaf(t);
    return tableViews.get(t) as NonNullable<ReturnType<typeof tableViews.get>>;
  };
  let framesHash = s.framesHash;
  const segs = segmentViews(s, proof);
  let hostAfter: (() => Hash) | undefined;
  // No memory at all (not a 0-page one) commits as a zero root with no pages.
  const hasMemory = !(s.memPages === 0 && s.memMax === 0 && equal(s.memRoot, new Uint8Array(32)));

  const ctx: StepCtx = {
    meta,
    code(i) {
      if (!Number.isSafeInteger(i) || i < 0 || i >= meta.codeLen)
        throw new StepProofError(`pc ${i} outside the function`);
      const chunk = Math.floor(i / CODE_CHUNK);
      code.leaf(chunk);
      const w = (words.get(chunk) as readonly number[])[i % CODE_CHUNK];
      if (w === undefined) throw new StepProofError("code word missing from its chunk");
      return w;
    },
    const64(i) {
      consts.leaf(i);
      return constVals.get(i) as bigint;
    },
    get: (pos) => stack.get(pos),
    set: (pos, v) => stack.set(pos, v),
    clear: (pos) => stack.set(pos, undefined),
    global: (i) => globals.get(i),
    setGlobal: (i, v) => globals.set(i, v),
    memRead: (addr, size) => readChunked(chunk, addr, size),
    memWrite(addr, bytes) {
      for (const i of writeChunked(chunk, addr, bytes)) memTree.set(i, hashLeaf(chunks.get(i) as Uint8Array));
    },
    callee(i) {
      const c = proof.callee;
      if (!c || c.index !== i) throw new StepProofError("the callee is not in the proof");
      new PartialTree(
        meta.instFuncsRoot,
        FUNCS_DEPTH,
        [{ index: i, leaf: addrLeaf(c.addr), path: c.addrPath }],
        "instance functions",
      );
      new PartialTree(
        s.funcsRoot,
        FUNCS_DEPTH,
        [{ index: c.addr, leaf: funcLeaf(c.meta), path: c.metaPath }],
        "functions",
      );
      return { addr: c.addr, meta: c.meta };
    },
    funcAt(addr) {
      const c = proof.callee;
      if (!c || c.index !== -1 || c.addr !== addr) throw new StepProofError("the callee is not in the proof");
      new PartialTree(
        s.funcsRoot,
        FUNCS_DEPTH,
        [{ index: addr, leaf: funcLeaf(c.meta), path: c.metaPath }],
        "functions",
      );
      return c.meta;
    },
    typeSig(i) {
      return types.leaf(i);
    },
    tableSize: (t) => table(t).size,
    tableGet(t, i) {
      return table(t).elems.get(i);
    },
    tableSet(t, i, v) {
      table(t).elems.set(i, v);
    },
    dataLen: (seg) => segs.data(seg).len,
    dataRead(seg, off, n) {
      const d = segs.data(seg);
      return readChunked((i) => d.chunk(i), off, n);
    },
    dataDrop: (seg) => segs.dropData(seg),
    elemSegLen: (seg) => segs.elem(seg).len,
    elemSegGet: (seg, i) => segs.elem(seg).get(i),
    tableResize(t, size) {
      table(t).size = size;
    },
    tableMax: (t) => table(t).max,
    tableTotal() {
      const c = proof.tableCount;
      if (!c) throw new StepProofError("table.grow needs the table count");
      new PartialTree(s.tablesRoot, TABLES_DEPTH, [{ index: c.count, leaf: EMPTY_LEAF, path: c.path }], "tables");
      let sum = 0;
      for (let i = 0; i < c.count; i++) sum += table(i).size;
      return sum;
    },
    elemDrop: (seg) => segs.dropElem(seg),
    hostCall(_addr, m, meter, args) {
      const call = witnessedHostCall(proof.host, m, s.restHash, hostLimits);
      hostAfter = call.restHash;
      const mem = hasMemory
        ? new ChunkMemory(s.memPages * PAGE_SIZE, chunk, (i) => memTree.set(i, hashLeaf(chunks.get(i) as Uint8Array)))
        : undefined;
      return call.fn(meter, { memories: mem ? [mem] : [] }, args);
    },
    pushCaller(f) {
      framesHash = pushFrame(framesHash, f.func, f.pc, f.base);
    },
    popCaller(): CallerFrame | undefined {
      if (equal(framesHash, new Uint8Array(32))) return undefined;
      const c = proof.caller;
      if (!c || !equal(pushFrame(c.prev, c.func, c.pc, c.base), framesHash))
        throw new StepProofError("the caller frame does not match the frame chain");
      framesHash = c.prev;
      return c;
    },
  };
  let tab = costCache.get(costs);
  if (!tab) {
    tab = costTable(costs);
    costCache.set(costs, tab);
  }
  const r = regsOf(s);
  step(r, ctx, tab, costs, limits);
  function postTables(): Hash {
    for (const [i, t] of tableViews) tablesTree.set(i, tableLeaf(t.size, t.max, t.elems.root()));
    return tablesTree.root();
  }
  const post: StepState = {
    ...s,
    ...r,
    stackRoot: stack.root(),
    globalsRoot: globals.root(),
    framesHash,
    tablesRoot: postTables(),
    datasRoot: segs.datasRoot(),
    elemSegsRoot: segs.elemSegsRoot(),
    memRoot: memTree.root(),
    restHash: hostAfter ? hostAfter() : s.restHash,
  };
  return hashStepState(post);
}
