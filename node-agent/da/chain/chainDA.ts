/** @module ChainDA: the validator-quorum DA (chain module `da`) as a DALayer — post as txs, read back verified against the chain's commitment. */
import type { OfflineSigner } from "@cosmjs/proto-signing";
import { GasPrice, QueryClient, SigningStargateClient } from "@cosmjs/stargate";
import { type CometClient, connectComet } from "@cosmjs/tendermint-rpc";
import { DEFAULT_GAS_PRICE } from "../../../clients/sdk/client.js";
import { type DAQueryExtension, postBlobMsg, setupDAExtension } from "../../../clients/sdk/da.js";
import { dsdnRegistry } from "../../../clients/sdk/registry.js";
import { BaseError, ErrorCode, IntegrityError } from "../../../common/errors.js";
import { bytesEqual } from "../../../common/hash.js";
import { blobCommitment, namespaceProblem } from "../../../modules/da/commitment.js";
import { MsgPostBlobResponse } from "../../../proto/gen/dsdn/da/v1/tx.js";
import type { BlobRef, DABlob, DAHealth, DAHeightBlobs, DALayer, SubscribeOptions } from "../types.js";

export interface ChainDAOptions {
  /** CometBFT RPC of a validator (or a full node) of Chain Nusantara. */
  readonly rpcUrl: string;
  /** Signs MsgPostBlob (pays tx fee + blob fee); without it the layer is read-only. */
  readonly signer?: OfflineSigner;
  readonly namespace: Uint8Array;
  readonly gasPrice?: string;
  /** How long a post waits for its block before failing over (default 15 s; CosmJS's own is 60 s). */
  readonly broadcastTimeoutMs?: number;
  /** Subscription polling interval (default 500 ms). */
  readonly pollMs?: number;
}

type Query = QueryClient & DAQueryExtension;

/**
 * Availability is CometBFT's: a blob is readable once its block is committed by ≥ 2/3 of the voting power.
 * Every blob read is checked against the commitment the chain recorded (`modules/da/commitment.ts`), so a
 * lying RPC endpoint can withhold bytes but not change them.
 */
export class ChainDA implements DALayer {
  readonly layer = "validator-quorum" as const;
  private constructor(
    private readonly opts: ChainDAOptions,
    private readonly comet: CometClient,
    private readonly query: Query,
    private readonly signing: { client: SigningStargateClient; address: string } | undefined,
  ) {}

  static async connect(options: ChainDAOptions): Promise<ChainDA> {
    const problem = namespaceProblem(options.namespace);
    if (problem) throw new BaseError(ErrorCode.InvalidArgument, problem);
    const comet = await connectComet(options.rpcUrl);
    const query = QueryClient.withExtensions(comet, setupDAExtension);
    let signing: { client: SigningStargateClient; address: string } | undefined;
    if (options.signer) {
      const [acc] = await options.signer.getAccounts();
      if (!acc) throw new BaseError(ErrorCode.InvalidArgument, "ChainDA signer has no account");
      const client = await SigningStargateClient.connectWithSigner(options.rpcUrl, options.signer, {
        registry: dsdnRegistry(),
        gasPrice: GasPrice.fromString(options.gasPrice ?? DEFAULT_GAS_PRICE),
        broadcastTimeoutMs: options.broadcastTimeoutMs ?? 15_000,
        broadcastPollIntervalMs: 300,
      });
      signing = { client, address: acc.address };
    }
    return new ChainDA(options, comet, query, signing);
  }

  async postBlob(data: Uint8Array): Promise<BlobRef> {
    if (!this.signing) throw new BaseError(ErrorCode.InvalidArgument, "ChainDA is read-only (no signer)");
    const { client, address } = this.signing;
    let r: Awaited<ReturnType<SigningStargateClient["signAndBroadcast"]>>;
    try {
      r = await client.signAndBroadcast(
        address,
        [postBlobMsg({ signer: address, namespace: this.opts.namespace, data })],
        1.5,
      );
    } catch (e) {
      throw new BaseError(ErrorCode.Unavailable, `validator-quorum DA post failed: ${(e as Error).message}`, {
        cause: e,
      });
    }
    if (r.code !== 0)
      throw new BaseError(ErrorCode.Unavailable, `MsgPostBlob refused (code ${r.code}): ${r.rawLog ?? ""}`);
    const resp = MsgPostBlobResponse.decode(r.msgResponses[0]!.value);
    const commitment = new Uint8Array(resp.commitment);
    if (!bytesEqual(commitment, blobCommitment(this.opts.namespace, data)))
      throw new IntegrityError("the chain recorded another commitment than the blob posted");
    return { layer: this.layer, height: resp.height, commitment, namespace: this.opts.namespace };
  }

  async getAll(height: bigint): Promise<DAHeightBlobs> {
    const q = await this.query.da.blobsAtHeight(height, this.opts.namespace);
    const blobs: DABlob[] = [];
    q.records.forEach((rec, i) => {
      const data = new Uint8Array(q.data[i] ?? new Uint8Array());
      if (data.length === 0 && rec.size > 0n)
        throw new BaseError(ErrorCode.NotFound, `blob ${height}/${rec.index} is past the retention period (pruned)`);
      if (!bytesEqual(blobCommitment(rec.namespace, data), rec.commitment))
        throw new IntegrityError(`blob ${height}/${rec.index} does not match its on-chain commitment`);
      blobs.push({
        ref: { layer: this.layer, height, commitment: new Uint8Array(rec.commitment), namespace: this.opts.namespace },
        index: rec.index,
        data,
      });
    });
    return { height, blobs };
  }

  async getBlob(ref: BlobRef): Promise<Uint8Array> {
    const all = await this.getAll(ref.height);
    const b = all.blobs.find((x) => bytesEqual(x.ref.commitment, ref.commitment));
    if (!b) throw new BaseError(ErrorCode.NotFound, `no blob with that commitment at height ${ref.height}`);
    return b.data;
  }

  async head(): Promise<bigint> {
    return (await this.query.da.head()).height;
  }

  async *subscribe(options: SubscribeOptions): AsyncIterable<DAHeightBlobs> {
    let next = options.fromHeight;
    const poll = this.opts.pollMs ?? 500;
    while (!options.signal?.aborted) {
      const head = await this.head();
      while (next <= head && !options.signal?.aborted) {
        yield await this.getAll(next);
        next++;
      }
      await new Promise((r) => setTimeout(r, poll));
    }
  }

  async health(): Promise<DAHealth> {
    const started = Date.now();
    try {
      const head = await this.head();
      return { layer: this.layer, status: "healthy", headHeight: head, latencyMs: Date.now() - started };
    } catch (e) {
      return { layer: this.layer, status: "down", detail: (e as Error).message };
    }
  }

  async close(): Promise<void> {
    this.signing?.client.disconnect();
    this.comet.disconnect();
  }
}
