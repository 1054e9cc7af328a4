/** @module The DALayer contract every DA backend implements (Celestia, local DA, validator-quorum DA, emergency). */

/** Which backend a blob lives on; part of every BlobRef so references are self-describing. */
export type DALayerName = "celestia" | "local" | "validator-quorum" | "emergency" | "memory";

/** A self-describing pointer to one blob: enough to fetch it again and verify it. */
export interface BlobRef {
  readonly layer: DALayerName;
  readonly height: bigint;
  /** 32-byte share commitment (go-square algorithm) of the blob under `namespace`. */
  readonly commitment: Uint8Array;
  /** 29-byte namespace the blob was posted under. */
  readonly namespace: Uint8Array;
}

/** One blob read back from DA, already verified against its commitment. */
export interface DABlob {
  readonly ref: BlobRef;
  /** Position of the blob within its height (replay order is height, index, sequence). */
  readonly index: number;
  readonly data: Uint8Array;
}

/** Everything our namespace holds at one height (possibly no blobs). */
export interface DAHeightBlobs {
  readonly height: bigint;
  readonly blobs: readonly DABlob[];
}

export type DAHealthStatus = "healthy" | "warning" | "degraded" | "down";

export interface DAHealth {
  readonly layer: DALayerName;
  readonly status: DAHealthStatus;
  /** Latest height the backend reports, when reachable. */
  readonly headHeight?: bigint;
  /** Round-trip latency of the last health probe. */
  readonly latencyMs?: number;
  readonly detail?: string;
}

export interface SubscribeOptions {
  /** First height to deliver; earlier heights are skipped, later ones delivered with no gaps. */
  readonly fromHeight: bigint;
  readonly signal?: AbortSignal;
}

export interface DALayer {
  readonly layer: DALayerName;
  /** Posts one blob; resolves once included, with the reference to fetch it by. */
  postBlob(data: Uint8Array): Promise<BlobRef>;
  /**
   * Optional: posts several blobs in one submission, included at one height in the given order (Celestia's
   * blob.Submit takes a list). Used to reconcile an outage's backlog at more than one blob per block.
   */
  postBlobs?(data: readonly Uint8Array[]): Promise<BlobRef[]>;
  /** Fetches a blob and verifies its commitment; throws NotFound / Integrity errors. */
  getBlob(ref: BlobRef): Promise<Uint8Array>;
  /** All blobs of the configured namespace at a height, in index order (empty when none). */
  getAll(height: bigint): Promise<DAHeightBlobs>;
  /** Latest height available for reading. */
  head(): Promise<bigint>;
  /**
   * Every height from `fromHeight` on, in order, each exactly once — gaps left by a dropped
   * stream are backfilled by height — until the signal aborts.
   */
  subscribe(options: SubscribeOptions): AsyncIterable<DAHeightBlobs>;
  health(): Promise<DAHealth>;
  close(): Promise<void>;
}
