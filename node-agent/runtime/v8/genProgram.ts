/**
 * @module A small random program generator for the differential test: from a seed, a valid WAT module
 * with integer, float and memory arithmetic, if/else, blocks with br_if, bounded loops, early returns,
 * calls, memory.grow/fill and host output — including instructions that trap (division, unsafe loads,
 * trapping float-to-int) and NaN-producing float arithmetic.
 */

/** xorshift32: the generator's only randomness, from the seed fast-check supplies. */
function rng(seed: number): (n: number) => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return (n: number) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
}

export function genProgram(seed: number): string {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[r(xs.length)] as T;
  const addr = (e: string) => `(i32.and ${e} (i32.const 0xfff0))`;

  const i32 = (d: number): string => {
    const k = d <= 0 ? r(2) : r(12);
    switch (k) {
      case 0:
        return `(i32.const ${pick([0, 1, -1, 7, 255, 0x7fffffff, -0x80000000, r(1000)])})`;
      case 1:
        return `(local.get ${pick(["$a", "$b", "$x", "$y"])})`;
      case 2:
      case 3:
        return `(i32.${pick(["add", "sub", "mul", "and", "or", "xor", "shl", "shr_s", "shr_u", "rotl", "eq", "lt_s", "gt_u"])} ${i32(d - 1)} ${i32(d - 1)})`;
      case 4:
        return `(i32.${pick(["div_s", "div_u", "rem_s", "rem_u"])} ${i32(d - 1)} ${i32(d - 1)})`;
      case 5:
        return `(i32.${pick(["clz", "ctz", "popcnt", "eqz", "extend8_s"])} ${i32(d - 1)})`;
      case 6:
        return r(6) === 0 ? `(i32.load offset=${r(8)} ${i32(d - 1)})` : `(i32.load offset=${r(8)} ${addr(i32(d - 1))})`;
      case 7:
        return `(i32.wrap_i64 ${i64(d - 1)})`;
      case 8:
        return `(i32.${pick(["trunc_sat_f64_s", "trunc_sat_f64_u", "trunc_f64_s"])} ${f64(d - 1)})`;
      case 9:
        return `(select ${i32(d - 1)} ${i32(d - 1)} ${i32(d - 1)})`;
      case 10:
        return r(4) === 0 ? `(memory.size)` : `(call $h ${i32(d - 1)} ${i32(d - 1)})`;
      default:
        // rare: control flow inside an expression is not instrumented (those runs use the interpreter)
        return r(8) === 0
          ? `(if (result i32) ${i32(d - 1)} (then ${i32(d - 1)}) (else ${i32(d - 1)}))`
          : `(local.get $x)`;
    }
  };
  const i64 = (d: number): string => {
    const k = d <= 0 ? r(2) : r(5);
    if (k === 0) return `(i64.const ${pick(["0", "1", "-1", "0x7fffffffffffffff", String(r(100000))])})`;
    if (k === 1) return "(local.get $z)";
    if (k === 2) return `(i64.${pick(["add", "sub", "mul", "xor", "shl", "rotr"])} ${i64(d - 1)} ${i64(d - 1)})`;
    if (k === 3) return `(i64.${pick(["div_u", "rem_s"])} ${i64(d - 1)} ${i64(d - 1)})`;
    return `(i64.extend_i32_s ${i32(d - 1)})`;
  };
  const f64 = (d: number): string => {
    const k = d <= 0 ? r(2) : r(7);
    if (k === 0)
      return `(f64.const ${pick(["0", "-0", "1.5", "-2.25", "1e300", "nan", "inf", "-nan:0x4000000000001"])})`;
    if (k === 1) return "(local.get $w)";
    if (k === 2 || k === 3)
      return `(f64.${pick(["add", "sub", "mul", "div", "min", "max", "copysign"])} ${f64(d - 1)} ${f64(d - 1)})`;
    if (k === 4) return `(f64.${pick(["sqrt", "floor", "ceil", "trunc", "nearest", "neg", "abs"])} ${f64(d - 1)})`;
    if (k === 5) return `(f64.convert_i32_s ${i32(d - 1)})`;
    return r(2) === 0 ? `(f64.load ${addr(i32(d - 1))})` : `(f64.promote_f32 (f32.demote_f64 ${f64(d - 1)}))`;
  };
  const stmts = (d: number, n: number): string => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(stmt(d));
    return out.join("\n");
  };
  const stmt = (d: number): string => {
    const k = d <= 0 ? r(7) : r(13);
    const e = 2;
    switch (k) {
      case 0:
        return `(local.set ${pick(["$x", "$y"])} ${i32(e)})`;
      case 1:
        return `(local.set $z ${i64(e)})`;
      case 2:
        return `(local.set $w ${f64(e)})`;
      case 3:
        return `(i32.store ${addr(i32(e))} ${i32(e)})`;
      case 4:
        return `(f64.store ${addr(i32(e))} ${f64(e)})`;
      case 5:
        return `(drop ${i32(e)})`;
      case 6:
        return r(3) === 0
          ? `(drop (memory.grow (i32.const ${r(3)})))`
          : `(call $out (i32.and ${i32(1)} (i32.const 0xff00)) (i32.const ${r(64)}))`;
      case 7:
        return `(if ${i32(e)} (then ${stmts(d - 1, 1 + r(3))}) (else ${stmts(d - 1, r(3))}))`;
      case 8:
        return `(block $b${d} ${stmts(d - 1, r(3))} (br_if $b${d} ${i32(1)}) ${stmts(d - 1, 1 + r(2))})`;
      case 9:
        return `(local.set $c${d} (i32.const ${1 + r(6)}))
(loop $l${d} ${stmts(d - 1, 1 + r(3))}
  (local.set $c${d} (i32.sub (local.get $c${d}) (i32.const 1)))
  (br_if $l${d} (i32.gt_s (local.get $c${d}) (i32.const 0))))`;
      case 10:
        return `(if ${i32(1)} (then (return ${i32(e)})))`;
      case 11:
        return `(memory.fill (i32.and ${i32(1)} (i32.const 0xff00)) ${i32(1)} (i32.const ${r(300)}))`;
      default:
        return `(local.set $x (call $h ${i32(e)} ${i32(1)}))`;
    }
  };
  return `(module
  (import "dsdn_v1" "output_write" (func $out (param i32 i32)))
  (memory 1 4)
  (func $h (param i32 i32) (result i32) (local i64)
    (i32.add (i32.mul (local.get 0) (i32.const 31)) (local.get 1)))
  (func (export "main") (param $a i32) (param $b i32) (result i32)
    (local $x i32) (local $y i32) (local $z i64) (local $w f64)
    (local $c0 i32) (local $c1 i32) (local $c2 i32) (local $c3 i32)
    ${stmts(3, 2 + r(6))}
    (f64.store (i32.const 0) (local.get $w))
    (i64.store (i32.const 8) (local.get $z))
    (call $out (i32.const 0) (i32.const 64))
    (i32.add (local.get $x) (i32.xor (local.get $y) (i32.wrap_i64 (local.get $z))))))`;
}
