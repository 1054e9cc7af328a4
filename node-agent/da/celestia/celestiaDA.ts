/** @module CelestiaDA: the DALayer over a celestia-node light node's JSON-RPC (HTTP) and blob.Subscribe (WebSocket). */

import { IntegrityError } from "../../../common/errors.js";
import { bytesEqual } from "../../../common/hash.js";
import { type DataRootHeader, parseDataRootHeader, verifyBlobInclusion } from "../commitment/blobProof.js";
import { createCommitment } from "../commitment/commitment.js";
import { type Namespace, namespaceToBase64, namespaceToHex, toNamespace } from "../commitment/namespace.js";
import type { BlobRef, DABlob, DAHealth, DAHeightBlobs, DALayer, DALayerName, SubscribeOptions } from "../types.js";
import { backoffDelay, sleep } from "./backoff.js";
import { type BlobJson, decodeAndVerifyBlob, encodeBlobJson, type VerifiedBlob } from "./blobJson.js";
import { DAError, isDAError } from "./errors.js";
import { DAMetrics, type DAMetricsSnapshot } from "./metrics.js";
import { JsonRpcHttp } from "./rpcHttp.js";
import { BlobSubscriptionStream, parseHeight, type SubscriptionEvent } from "./subscription.js";

export interface CelestiaDAOptions {
  /** celestia-node RPC endpoint, e.g. `http://127.0.0.1:26658` (HTTP and WebSocket share the port). */
  readonly url: string;
  /** JWT from `celestia light auth write`; sent as `Authorization: Bearer`, never logged. */
  readonly authToken?: string;
  /** 29-byte version-0 namespace (validated). */
  readonly namespace: Uint8Array;
  /** Per-request timeout; blob.Submit blocks until inclusion, so keep it above a few block times. Default 60 000. */
  readonly timeoutMs?: number;
  /** Extra attempts after a transient failure. Default 3. */
  readonly retryCount?: number;
  /** First backoff delay, doubled per attempt. Default 500. */
  readonly retryDelayMs?: number;
  /** Backoff ceiling for retries and WebSocket reconnects. Default 30 000. */
  readonly maxRetryDelayMs?: number;
  /** utia per gas unit; unset lets the node estimate (`is_gas_price_set: false`). */
  readonly gasPrice?: number;
  /** celestia-node tx_priority: 1 low, 2 medium, 3 high. */
  readonly txPriority?: 1 | 2 | 3;
  /** Name put into BlobRefs. Default "celestia"; the local DA server speaks the same API. */
  readonly layer?: DALayerName;
  /** Health turns "warning" above this probe latency (roadmap T14A.1A: 30 s). Default 30 000. */
  readonly warnLatencyMs?: number;
  /** Health turns "warning" when the local head trails the network head by more than this. Default 5. */
  readonly maxHeadLag?: bigint;
  /**
   * Check every blob read against the header's data root with blob.GetProof (default true). Only turn
   * off for a DA node that cannot serve proofs and that you run yourself: the commitment alone comes
   * from the same node that sent the blob and proves nothing about the block.
   */
  readonly verifyInclusion?: boolean;
}

/** What `connect()` learned about the node. */
export interface CelestiaConnectInfo {
  readonly endpoint: string;
  readonly networkHead: bigint;
  readonly localHead: bigint;
  readonly namespaceHex: string;
}

/** celestia-node TxConfig JSON for blob.Submit; the options object is never null. */
export interface TxConfigJson {
  gas_price?: number;
  is_gas_price_set?: boolean;
  tx_priority?: number;
}

/** The parsed ExtendedHeader fields we use. */
export interface HeaderInfo {
  readonly height: bigint;
  readonly time?: string;
  readonly raw: unknown;
}

const b64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64");

function headerInfo(raw: unknown): HeaderInfo {
  const h = (raw as { header?: { height?: unknown; time?: string } } | null)?.header;
  if (!h) throw new DAError("protocol", "ExtendedHeader without a header field");
  return { height: parseHeight(h.height, "header.height"), ...(h.time ? { time: h.time } : {}), raw };
}

export class CelestiaDA implements DALayer {
  readonly layer: DALayerName;
  readonly namespace: Namespace;
  private readonly rpc: JsonRpcHttp;
  private readonly metricsImpl = new DAMetrics();
  private readonly streams = new Set<BlobSubscriptionStream>();
  private readonly retryCount: number;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly timeoutMs: number;
  private readonly closed = new AbortController();
  /** Recently verified data roots by height (bounded): one header fetch serves every blob of a height. */
  private readonly headers = new Map<bigint, DataRootHeader>();

  constructor(private readonly options: CelestiaDAOptions) {
    this.namespace = toNamespace(options.namespace);
    this.layer = options.layer ?? "celestia";
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.retryCount = options.retryCount ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 500;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
    if (options.txPriority !== undefined && ![1, 2, 3].includes(options.txPriority)) {
      throw new DAError("invalid", `tx priority must be 1, 2 or 3, got ${options.txPriority}`);
    }
    this.rpc = new JsonRpcHttp({
      url: options.url,
      timeoutMs: this.timeoutMs,
      metrics: this.metricsImpl,
      ...(options.authToken ? { authToken: options.authToken } : {}),
    });
  }

  /** Endpoint without credentials, for logs. */
  get endpoint(): string {
    return this.rpc.endpoint;
  }

  /**
   * Startup check: the node answers, accepts the token, is ready, and reports a head. Fails with a
   * message that says which of those is wrong and which setting to fix. No retries: fail fast.
   */
  async connect(): Promise<CelestiaConnectInfo> {
    const where = this.endpoint;
    try {
      const ready = await this.rpc.call<boolean>("node.Ready", []);
      if (ready !== true) {
        throw new DAError(
          "syncing",
          `the DA node at ${where} is not ready yet (node.Ready = ${String(ready)}); wait for it to sync`,
        );
      }
      const [networkHead, localHead] = await Promise.all([this.networkHead(0), this.localHead(0)]);
      return { endpoint: where, networkHead, localHead, namespaceHex: namespaceToHex(this.namespace) };
    } catch (e) {
      if (!isDAError(e)) throw e;
      const hint =
        e.kind === "unavailable" || e.kind === "timeout"
          ? `cannot reach the DA node at ${where}: is it running, and is DA_RPC_URL right?`
          : e.kind === "unauthorized"
            ? `the DA node at ${where} rejected DA_AUTH_TOKEN (HTTP 401): issue a new token with 'celestia light auth write'`
            : e.kind === "permission"
              ? `DA_AUTH_TOKEN lacks permission on ${where}: it needs at least 'read' (and 'write' to post)`
              : `DA startup check against ${where} failed`;
      throw new DAError(e.kind, hint, { cause: e, ...(e.method ? { method: e.method } : {}) });
    }
  }

  /** Runs a call, retrying transient failures with exponential backoff; fatal ones throw at once. */
  private async withRetry<T>(fn: () => Promise<T>, retries = this.retryCount): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (!isDAError(e) || !e.transient || attempt >= retries || this.closed.signal.aborted) {
          if (isDAError(e) && e.transient && attempt > 0) {
            throw new DAError(e.kind, `${e.shortMessage} (gave up after ${attempt + 1} attempts)`, {
              cause: e,
              ...(e.method ? { method: e.method } : {}),
            });
          }
          throw e;
        }
        this.metricsImpl.counters.retries++;
        await sleep(backoffDelay(attempt, this.retryDelayMs, this.maxRetryDelayMs), this.closed.signal);
      }
    }
  }

  private txConfig(): TxConfigJson {
    const cfg: TxConfigJson = {};
    if (this.options.gasPrice !== undefined) {
      cfg.gas_price = this.options.gasPrice;
      cfg.is_gas_price_set = true;
    }
    if (this.options.txPriority !== undefined) cfg.tx_priority = this.options.txPriority;
    return cfg;
  }

  /**
   * blob.Submit; resolves with the inclusion height. A retry after a timeout may include the blob
   * twice: DA events carry per-publisher sequence numbers, so replay drops the duplicate.
   */
  async postBlob(data: Uint8Array): Promise<BlobRef> {
    const commitment = createCommitment(this.namespace, data);
    const blob = encodeBlobJson(this.namespace, data, commitment);
    const result = await this.withRetry(() => this.rpc.call<unknown>("blob.Submit", [[blob], this.txConfig()]));
    const height = parseHeight(result, "blob.Submit result");
    this.metricsImpl.counters.blobsPosted++;
    this.metricsImpl.counters.bytesPosted += data.length;
    return { layer: this.layer, height, commitment, namespace: this.namespace };
  }

  /** Several blobs in one blob.Submit: one height, in the given order (a retry may include them twice). */
  async postBlobs(datas: readonly Uint8Array[]): Promise<BlobRef[]> {
    if (datas.length === 0) return [];
    const commitments = datas.map((d) => createCommitment(this.namespace, d));
    const blobs = datas.map((d, i) => encodeBlobJson(this.namespace, d, commitments[i]!));
    const result = await this.withRetry(() => this.rpc.call<unknown>("blob.Submit", [blobs, this.txConfig()]));
    const height = parseHeight(result, "blob.Submit result");
    this.metricsImpl.counters.blobsPosted += datas.length;
    for (const d of datas) this.metricsImpl.counters.bytesPosted += d.length;
    return commitments.map((commitment) => ({ layer: this.layer, height, commitment, namespace: this.namespace }));
  }

  /** blob.Get, then the commitment is recomputed from the returned data and compared to the ref. */
  async getBlob(ref: BlobRef): Promise<Uint8Array> {
    const raw = await this.withRetry(() =>
      this.rpc.call<BlobJson>("blob.Get", [
        Number(ref.height),
        namespaceToBase64(ref.namespace),
        Buffer.from(ref.commitment).toString("base64"),
      ]),
    );
    const blob = this.verify(raw);
    if (!bytesEqual(blob.commitment, ref.commitment) || !bytesEqual(blob.namespace, ref.namespace)) {
      this.metricsImpl.counters.integrityFailures++;
      throw new IntegrityError("DA node returned a different blob than the one requested", {
        meta: { height: ref.height.toString() },
      });
    }
    await this.checkIncluded(ref.height, [blob]);
    return blob.data;
  }

  /** The height's data root, from a header whose DAH hashes to its data_hash. */
  private async dataRoot(height: bigint): Promise<DataRootHeader> {
    const cached = this.headers.get(height);
    if (cached) return cached;
    const raw = await this.withRetry(() => this.rpc.call<unknown>("header.GetByHeight", [Number(height)]));
    const header = parseDataRootHeader(raw, height);
    if (this.headers.size >= 64) this.headers.delete(this.headers.keys().next().value as bigint);
    this.headers.set(height, header);
    return header;
  }

  /**
   * Each blob must prove inclusion under the header's data root (blob.GetProof, verified here): a node
   * that invents a blob with a matching commitment, or serves one that is not in the block, is refused.
   */
  private async checkIncluded(height: bigint, blobs: readonly VerifiedBlob[]): Promise<void> {
    if (this.options.verifyInclusion === false || blobs.length === 0) return;
    try {
      const header = await this.dataRoot(height);
      for (const b of blobs) {
        const proof = await this.withRetry(() =>
          this.rpc.call<unknown>("blob.GetProof", [Number(height), namespaceToBase64(b.namespace), b64(b.commitment)]),
        );
        verifyBlobInclusion(
          {
            namespace: b.namespace,
            data: b.data,
            shareVersion: b.shareVersion,
            ...(b.signer ? { signer: b.signer } : {}),
          },
          proof,
          header,
        );
      }
    } catch (e) {
      if (e instanceof IntegrityError) this.metricsImpl.counters.integrityFailures++;
      else if (isDAError(e) && e.kind === "not_found") {
        this.metricsImpl.counters.integrityFailures++;
        throw new IntegrityError("the DA node has no inclusion proof for a blob it served", {
          cause: e,
          meta: { height: height.toString() },
        });
      }
      throw e;
    }
  }

  private verify(raw: unknown): VerifiedBlob {
    try {
      const blob = decodeAndVerifyBlob(raw);
      this.metricsImpl.counters.blobsRead++;
      return blob;
    } catch (e) {
      if (e instanceof IntegrityError) this.metricsImpl.counters.integrityFailures++;
      throw e;
    }
  }

  private async toHeightBlobs(height: bigint, raws: readonly unknown[]): Promise<DAHeightBlobs> {
    const verified = raws.map((r) => this.verify(r));
    const ours = verified.filter((b) => bytesEqual(b.namespace, this.namespace));
    await this.checkIncluded(height, ours);
    // Share index orders blobs within the square; blobs without one keep the node's order.
    ours.sort((a, b) => (a.index >= 0 && b.index >= 0 ? a.index - b.index : 0));
    const blobs: DABlob[] = ours.map((b, i) => ({
      ref: { layer: this.layer, height, commitment: b.commitment, namespace: b.namespace },
      index: i,
      data: b.data,
    }));
    return { height, blobs };
  }

  /** blob.GetAll for our namespace; `null` from the node means no blobs. */
  async getAll(height: bigint): Promise<DAHeightBlobs> {
    const raws = await this.withRetry(() =>
      this.rpc.call<unknown[] | null>("blob.GetAll", [Number(height), [namespaceToBase64(this.namespace)]]),
    );
    if (raws !== null && !Array.isArray(raws))
      throw new DAError("protocol", "blob.GetAll returned neither an array nor null");
    return this.toHeightBlobs(height, raws ?? []);
  }

  async head(): Promise<bigint> {
    return this.localHead();
  }

  async localHead(retries = this.retryCount): Promise<bigint> {
    return headerInfo(await this.withRetry(() => this.rpc.call<unknown>("header.LocalHead", []), retries)).height;
  }

  async networkHead(retries = this.retryCount): Promise<bigint> {
    return headerInfo(await this.withRetry(() => this.rpc.call<unknown>("header.NetworkHead", []), retries)).height;
  }

  async getHeader(height: bigint): Promise<HeaderInfo> {
    return headerInfo(await this.withRetry(() => this.rpc.call<unknown>("header.GetByHeight", [Number(height)])));
  }

  /** Blocks on the node until `height` exists (bounded by the request timeout). */
  async waitForHeight(height: bigint): Promise<HeaderInfo> {
    return headerInfo(await this.withRetry(() => this.rpc.call<unknown>("header.WaitForHeight", [Number(height)])));
  }

  async ready(): Promise<boolean> {
    return (await this.rpc.call<boolean>("node.Ready", [])) === true;
  }

  async *subscribe(options: SubscribeOptions): AsyncIterable<DAHeightBlobs> {
    const signal = options.signal;
    let next = options.fromHeight < 1n ? 1n : options.fromHeight;
    let failures = 0;
    const stop = () => signal?.aborted === true || this.closed.signal.aborted;
    while (!stop()) {
      let stream: BlobSubscriptionStream | undefined;
      const onAbort = () => stream?.close();
      signal?.addEventListener("abort", onAbort, { once: true });
      this.closed.signal.addEventListener("abort", onAbort, { once: true });
      try {
        stream = await BlobSubscriptionStream.open({
          url: this.options.url,
          namespaceBase64: namespaceToBase64(this.namespace),
          timeoutMs: this.timeoutMs,
          ...(this.options.authToken ? { authToken: this.options.authToken } : {}),
        });
        this.streams.add(stream);
        if (stop()) break;
        // Whatever was produced while we were away (or before fromHeight was reached) comes by height.
        const head = await this.localHead(0);
        while (next <= head && !stop()) {
          yield await this.getAll(next);
          this.metricsImpl.counters.heightsBackfilled++;
          next++;
        }
        failures = 0;
        while (!stop()) {
          const event: SubscriptionEvent = await stream.next();
          if (event.height < next) continue;
          while (next < event.height && !stop()) {
            yield await this.getAll(next);
            this.metricsImpl.counters.heightsBackfilled++;
            next++;
          }
          if (stop()) break;
          yield await this.toHeightBlobs(event.height, event.blobs);
          next = event.height + 1n;
        }
      } catch (e) {
        if (stop()) break;
        if (!isDAError(e) || !e.transient) throw e;
        this.metricsImpl.counters.reconnects++;
        await sleep(backoffDelay(failures++, this.retryDelayMs, this.maxRetryDelayMs), signal ?? this.closed.signal);
      } finally {
        signal?.removeEventListener("abort", onAbort);
        this.closed.signal.removeEventListener("abort", onAbort);
        if (stream) {
          stream.close();
          this.streams.delete(stream);
        }
      }
    }
  }

  /** node.Ready + head lag + probe latency; never throws ("down" when unreachable). */
  async health(): Promise<DAHealth> {
    const started = performance.now();
    try {
      const ready = await this.rpc.call<boolean>("node.Ready", []);
      const [network, local] = await Promise.all([this.networkHead(0), this.localHead(0)]);
      const latencyMs = performance.now() - started;
      const lag = network - local;
      const base = { layer: this.layer, headHeight: local, latencyMs };
      if (ready !== true) return { ...base, status: "degraded", detail: "node.Ready is false (starting or syncing)" };
      if (lag > (this.options.maxHeadLag ?? 5n))
        return { ...base, status: "warning", detail: `local head ${lag} blocks behind the network` };
      if (latencyMs > (this.options.warnLatencyMs ?? 30_000)) {
        return { ...base, status: "warning", detail: `probe took ${Math.round(latencyMs)} ms` };
      }
      return { ...base, status: "healthy", detail: `head ${local}, lag ${lag}` };
    } catch (e) {
      return {
        layer: this.layer,
        status: "down",
        latencyMs: performance.now() - started,
        detail: isDAError(e) ? e.shortMessage : String((e as Error)?.message ?? e),
      };
    }
  }

  /** Latency histograms per RPC method and transport counters. */
  metrics(): DAMetricsSnapshot {
    return this.metricsImpl.snapshot();
  }

  async close(): Promise<void> {
    this.closed.abort();
    for (const s of this.streams) s.close();
    this.streams.clear();
    this.rpc.close();
  }
}
