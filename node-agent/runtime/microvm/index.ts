/** @module MicroVM: isolated execution of non-WASM workloads (Tahap 8). */
export { BwrapVM, bwrapAvailable } from "./bwrapVM.js";
export { createMicroVM, type MicroVMChoice } from "./createMicroVM.js";
export { MockVM } from "./mockVM.js";
export * from "./types.js";
