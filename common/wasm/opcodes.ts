/**
 * @module Internal opcodes of the compact code the validator emits. Most reuse the WebAssembly opcode
 * number (numeric, memory, variable instructions); control flow is lowered to jumps with resolved
 * targets, and the 0xFC-prefixed instructions become 0xE0 + their sub-opcode.
 */
export const Op = {
  UNREACHABLE: 0x00,
  /** if: pops i32, jumps to imm0 when zero (no stack change otherwise). */
  BR_UNLESS: 0x04,
  /** else: unconditional jump to imm0 (stack already has the block's results). */
  JUMP: 0x05,
  /** br/br_if: imm0 = target pc, imm1 = values kept, imm2 = stack height (from frame base) to cut to. */
  BR: 0x0c,
  BR_IF: 0x0d,
  /** imm0 = n, then n+1 triples (target, keep, height); the last is the default. */
  BR_TABLE: 0x0e,
  RETURN: 0x0f,
  CALL: 0x10,
  CALL_INDIRECT: 0x11,
  DROP: 0x1a,
  SELECT: 0x1b,
  LOCAL_GET: 0x20,
  LOCAL_SET: 0x21,
  LOCAL_TEE: 0x22,
  GLOBAL_GET: 0x23,
  GLOBAL_SET: 0x24,
  TABLE_GET: 0x25,
  TABLE_SET: 0x26,
  MEMORY_SIZE: 0x3f,
  MEMORY_GROW: 0x40,
  I32_CONST: 0x41,
  I64_CONST: 0x42,
  F32_CONST: 0x43,
  F64_CONST: 0x44,
  REF_NULL: 0xd0,
  REF_IS_NULL: 0xd1,
  REF_FUNC: 0xd2,
  /** 0xFC sub-opcodes 0..17 map to 0xE0..0xF1. */
  PREFIX_FC: 0xe0,
  MEMORY_INIT: 0xe8,
  DATA_DROP: 0xe9,
  MEMORY_COPY: 0xea,
  MEMORY_FILL: 0xeb,
  TABLE_INIT: 0xec,
  ELEM_DROP: 0xed,
  TABLE_COPY: 0xee,
  TABLE_GROW: 0xef,
  TABLE_SIZE: 0xf0,
  TABLE_FILL: 0xf1,
} as const;

/** Number of immediates that follow each internal opcode (BR_TABLE is variable: see Op.BR_TABLE). */
export function immediateCount(op: number): number {
  if (op === Op.BR || op === Op.BR_IF) return 3;
  if (op === Op.BR_UNLESS || op === Op.JUMP || op === Op.CALL || op === Op.REF_FUNC) return 1;
  if (op === Op.CALL_INDIRECT || op === Op.TABLE_INIT || op === Op.TABLE_COPY) return 2;
  if (op >= 0x20 && op <= 0x26) return 1;
  if (op >= 0x28 && op <= 0x3e) return 1;
  if (op >= 0x41 && op <= 0x44) return 1;
  if (op === Op.MEMORY_INIT || op === Op.DATA_DROP || op === Op.ELEM_DROP) return 1;
  if (op === Op.TABLE_GROW || op === Op.TABLE_SIZE || op === Op.TABLE_FILL) return 1;
  return 0;
}
