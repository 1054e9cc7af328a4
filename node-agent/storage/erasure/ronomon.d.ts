/** @module Types for @ronomon/reed-solomon (the package ships none): the native Reed–Solomon codec. */
declare module "@ronomon/reed-solomon" {
  /** An opaque encoding context for (k, m); reusable and safe to share across concurrent calls. */
  export interface Context {
    readonly __ronomonReedSolomonContext: unique symbol;
  }
  export const MAX_K: number;
  export const MAX_M: number;
  export function create(k: number, m: number): Context;
  /**
   * Encodes the `targets` shards (bit i = shard i; data shards 0..k-1 in `buffer`, parity k..k+m-1 in `parity`)
   * from the `sources` shards, in Node's thread pool. Shard size = bufferSize / k = paritySize / m, a multiple of 8.
   */
  export function encode(
    context: Context,
    sources: number,
    targets: number,
    buffer: Buffer,
    bufferOffset: number,
    bufferSize: number,
    parity: Buffer,
    parityOffset: number,
    paritySize: number,
    end: (error: Error | undefined) => void,
  ): void;
}
