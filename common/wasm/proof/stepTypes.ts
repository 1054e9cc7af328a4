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
