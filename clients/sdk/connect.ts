/** @module `connect()`: one object for what a DSDN application does — store, fetch, delete, estimate, claim, query, follow jobs. */
import type { OfflineSigner } from "@cosmjs/proto-signing";
import type { SigningStargateClient } from "@cosmjs/stargate";
import { InvalidArgumentError } from "../../common/errors.js";
import type { JobStatus } from "../../node-agent/compute/service.js";
import { CoordinatorClient, type ObjectStatusAnswer } from "../../node-agent/coordinator/client.js";
import type { ThresholdReceipt } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import { ComputeClient, type JobLogs } from "../agent/computeClient.js";
import { type DeleteReturnType, deleteViaCoordinator } from "../agent/deleteFile.js";
import { type EstimateParameters, type EstimateReturnType, estimateWorkload } from "../agent/estimate.js";
import { type GetReturnType, getFile } from "../agent/get.js";
import { type NetworkUploadReturnType, uploadViaCoordinator } from "../agent/networkUpload.js";
import { replicaUrls } from "../agent/replicas.js";
import { loadUploaderKey, type UploaderKey, type UploaderKeyOptions } from "../agent/uploaderKey.js";
import { connectQueryClient, connectSigningClient, type DsdnQueryClient } from "./client.js";
import { type ClaimOutcome, claimReceipt } from "./receipts.js";

/** Called as bytes move: `done` of `total` bytes. Cheap to call often; the SDK calls it per chunk. */
export type ProgressCallback = (done: number, total: number) => void;

export interface ConnectOptions {
  /** The coordinator's URL (storage placement, object status, jobs). */
  readonly coordinator?: string;
  /** A CometBFT RPC URL of Chain Nusantara (queries, claims). */
  readonly rpc?: string;
  /** The key that owns uploads and signs deletes; default: the keyring's `dsdn-uploader`, created on first use. */
  readonly key?: UploaderKey | UploaderKeyOptions;
  /** A wallet (e.g. Keplr's offline signer or a DirectSecp256k1HdWallet) for chain transactions. */
  readonly signer?: OfflineSigner;
  /** Gas price for `fee: "auto"`, default 0.025unusa. */
  readonly gasPrice?: string;
}

export interface UploadOptions {
  readonly encrypt?: boolean;
  readonly onProgress?: ProgressCallback;
  readonly signal?: AbortSignal;
}

export interface GetOptions {
  /** A file key from elsewhere; otherwise the local keystore decrypts. */
  readonly key?: Uint8Array;
  readonly onProgress?: ProgressCallback;
  readonly signal?: AbortSignal;
}

/** Deploying a workload: filled in by the compute SDK; typed here so applications can code against it now. */
export interface DeployParameters {
  readonly target: string;
  readonly input?: string;
  readonly type?: "batch" | "web_app" | "ai" | "static";
  readonly replicas?: number;
  /** Each stage ("dry run", "upload module", "sign and submit", …) as it starts. */
  readonly onStage?: (stage: string) => void;
}
export interface DeployReturnType {
  readonly jobId: string;
  readonly nodes: readonly string[];
  readonly daHeight: string;
}
export type DeployHook = (p: DeployParameters) => Promise<DeployReturnType>;

export interface DsdnClient {
  /** Stores a file through the coordinator (placement, replicas in distinct zones); resolves with its manifest CID. */
  upload(path: string, options?: UploadOptions): Promise<NetworkUploadReturnType>;
  /** Fetches a file by manifest CID into `out`, failing over between the replicas DA records. */
  get(manifest: string, out: string, options?: GetOptions): Promise<GetReturnType>;
  /** Removes this key's pin of a file. */
  delete(manifest: string): Promise<DeleteReturnType>;
  /** Where an object's chunks live and whether each replica is healthy. */
  status(cid: string): Promise<ObjectStatusAnswer>;
  /** Dry-runs a workload and prices it (no network needed). */
  estimate(p: EstimateParameters): Promise<EstimateReturnType>;
  /** Claims a storage or compute receipt's reward with the signer's account. */
  claim(
    receipt: ThresholdReceipt,
    node: { nodeSignature?: Uint8Array; nodeSecretKey?: Uint8Array },
  ): Promise<ClaimOutcome>;
  /** Chain queries: bank, auth, tx, and raw DSDN module queries. */
  query(): Promise<DsdnQueryClient>;
  /** Job status, output and (signed with this client's key: the submitter's only) log lines. */
  readonly jobs: {
    status(jobId: string): Promise<JobStatus>;
    output(jobId: string): Promise<Uint8Array>;
    logs(jobId: string): Promise<JobLogs>;
  };
  /** Set by the compute SDK when available. */
  deploy?: DeployHook;
  /** The owner address uploads and deletes are signed with. */
  address(): Promise<string>;
  /** Closes chain connections. */
  disconnect(): void;
}

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new InvalidArgumentError(`${what} is not configured: pass it to connect()`);
  return v;
}

/** Connects lazily: nothing is contacted until a method needs it, so `connect()` never fails offline. */
export async function connect(o: ConnectOptions = {}): Promise<DsdnClient> {
  let key: Promise<UploaderKey> | undefined;
  const ownerKey = () => {
    key ??=
      o.key && "secretKey" in o.key ? Promise.resolve(o.key) : loadUploaderKey((o.key as UploaderKeyOptions) ?? {});
    return key;
  };
  let query: Promise<DsdnQueryClient> | undefined;
  let signing: Promise<{ client: SigningStargateClient; address: string }> | undefined;
  const coordinator = () => need(o.coordinator, "coordinator URL");
  const compute = () => new ComputeClient(coordinator());
  return {
    async upload(path, u = {}) {
      return uploadViaCoordinator({
        path,
        encrypt: u.encrypt === true,
        coordinator: coordinator(),
        key: await ownerKey(),
        ...(u.onProgress ? { onProgress: u.onProgress } : {}),
        ...(u.signal ? { signal: u.signal } : {}),
      });
    },
    async get(manifest, out, g = {}) {
      const { urls, holders } = await replicaUrls(coordinator(), manifest);
      return getFile({
        manifest,
        nodes: urls,
        holders,
        out,
        ...(g.key ? { key: g.key } : {}),
        ...(g.onProgress ? { onProgress: g.onProgress } : {}),
        ...(g.signal ? { signal: g.signal } : {}),
      });
    },
    async delete(manifest) {
      return deleteViaCoordinator(coordinator(), manifest, await ownerKey());
    },
    status: (cid) => new CoordinatorClient(coordinator()).status(cid),
    estimate: (p) => estimateWorkload(p),
    async claim(receipt, node) {
      signing ??= (async () => {
        const signer = need(o.signer, "a signer (wallet)");
        const [account] = await signer.getAccounts();
        const { client } = await connectSigningClient(need(o.rpc, "rpc URL"), signer, {
          ...(o.gasPrice ? { gasPrice: o.gasPrice } : {}),
        });
        return { client, address: need(account, "an account in the signer").address };
      })();
      const s = await signing;
      return claimReceipt(s.client, s.address, receipt, node);
    },
    query() {
      query ??= connectQueryClient(need(o.rpc, "rpc URL"));
      return query;
    },
    jobs: {
      status: (jobId) => compute().status(jobId),
      output: async (jobId) => {
        const c = compute();
        // A private job's output needs its submitter's signed request: the owner key, loaded only when a node asks.
        return c.output(await c.status(jobId), ownerKey);
      },
      logs: async (jobId) => {
        const c = compute();
        return c.logs(await c.status(jobId), await ownerKey());
      },
    },
    async address() {
      return (await ownerKey()).address;
    },
    disconnect() {
      void signing?.then((s) => s.client.disconnect()).catch(() => {});
    },
  };
}
