/** @module The registers one step changes (the clear part of the state commitment). */
export interface Regs {
  status: number;
  steps: number;
  fuelLeft: number;
  func: number;
  pc: number;
  base: number;
  sp: number;
  /** Number of frames (the current one included). */
  depth: number;
  memPages: number;
  /** Effective memory maximum in pages (declared maximum capped by the limit). */
  memMax: number;
}

/** A fresh register set copied from the clear fields of a step state (step() mutates it). */
export function regsOf(s: Readonly<Regs>): Regs {
  return {
    status: s.status,
    steps: s.steps,
    fuelLeft: s.fuelLeft,
    func: s.func,
    pc: s.pc,
    base: s.base,
    sp: s.sp,
    memPages: s.memPages,
    memMax: s.memMax,
    depth: s.depth,
  };
}
