/** @module The coordinator service core: follows DA, admits nodes through the chain, declares chunks, heals, challenges. */
import { join } from "node:path";
import { isValidCid } from "../../common/cid.js";
import { ed25519KeyPair } from "../../common/ed25519.js";
import { BaseError, ErrorCode, InvalidArgumentError } from "../../common/errors.js";
import { fromHex, toHex } from "../../common/hash.js";
import { isValidAddress } from "../../common/secp256k1.js";
import { NodeRegistered, NodeStatus, type Principal } from "../../proto/gen/dsdn/da/v1/events.js";
import type { DAEventInput } from "../da/events/event.js";
import { type DALogger, stderrLogger } from "../da/events/logger.js";
import { EventPublisher } from "../da/events/publisher.js";
import type { ReplayConfig } from "../da/replay/config.js";
import { ReplayFollower } from "../da/replay/follower.js";
import type { NodeInfo, NodeStatusName, ReplayState } from "../da/replay/state.js";
import type { DALayer } from "../da/types.js";
import { type ChainPlacementInput, placementCandidates, readChainPlacementInput } from "../placement/candidates.js";
import { DEFAULT_REPLICATION_FACTOR, type Placement, placeChunk } from "../placement/placement.js";
import { verifyAck } from "../storage/ack.js";
import type { ChainView } from "./chainView.js";
import { type ChallengeResult, challengeReplica } from "./challenge.js";
import type { FaultReporter } from "./faultReporter.js";
import { HealthMonitor } from "./healthMonitor.js";
import { admitNode } from "./registration.js";

export interface CoordinatorOptions {
  readonly da: DALayer;
  /** ed25519 seed: the coordinator's DA publisher key (must be in every replayer's coordinator set). */
  readonly secretKey: Uint8Array;
  readonly dataDir: string;
  readonly replay: ReplayConfig;
  readonly chain: ChainView;
  readonly replicationFactor?: number;
  readonly healthIntervalMs?: number;
  /** A node failing health checks for this long is marked offline on DA (default 10 s). */
  readonly deadAfterMs?: number;
  /** Chain status sync and repair scan period (default 2 s). */
  readonly reconcileIntervalMs?: number;
  /** At most this many chunks re-placed per reconcile round, so healing never floods the network. */
  readonly maxHealsPerRound?: number;
  /** Random storage challenges: one every this many ms (0 = off; default 5 s). */
  readonly challengeIntervalMs?: number;
  /**
   * Where proven faults go: a replica that serves bytes not matching its CID is reported to the chain as
   * data corruption (the chain slashes and quarantines; the DA registry then follows). Without it, failed
   * challenges only remove the replica on DA.
   */
  readonly faultReporter?: FaultReporter;
  /** Skip probing the node endpoint at registration (unit tests without a chunk server). */
  readonly probeEndpoints?: boolean;
  /** Localnet only: admit node endpoints on loopback and private addresses (refused otherwise, SSRF). */
  readonly allowPrivateEndpoints?: boolean;
  readonly logger?: DALogger;
}

export interface DeclaredChunkInput {
  readonly cid: string;
  readonly size: number | bigint;
  /** base64 SignedStorageAck from each node that stored it. */
  readonly acks: readonly string[];
}

export interface ReplicaView {
  readonly node: string;
  readonly zone: string;
  readonly endpoint: string;
  readonly status: NodeStatusName | "unknown";
  readonly healthy: boolean;
}

export interface ChunkStatus {
  readonly cid: string;
  readonly size: string;
  readonly manifestCid: string;
  readonly placement: readonly string[];
  readonly replicationFactor: number;
  readonly replicas: readonly ReplicaView[];
  readonly healthyReplicas: number;
  readonly underReplicated: boolean;
}

/** "nusa1…" → account principal, 64 hex → node principal. */
export function uploaderPrincipal(uploader: string): Principal {
  if (/^[0-9a-f]{64}$/.test(uploader)) return { nodeId: Buffer.from(fromHex(uploader)), address: undefined };
  if (isValidAddress(uploader)) return { address: uploader, nodeId: undefined };
  throw new InvalidArgumentError(
    `uploader must be a nusa1… address or a 64-hex node id, got "${uploader.slice(0, 80)}"`,
  );
}

const STATUS_ENUM: Record<NodeStatusName, NodeStatus> = {
  pending: NodeStatus.NODE_STATUS_PENDING,
  active: NodeStatus.NODE_STATUS_ACTIVE,
  quarantined: NodeStatus.NODE_STATUS_QUARANTINED,
  banned: NodeStatus.NODE_STATUS_BANNED,
  offline: NodeStatus.NODE_STATUS_OFFLINE,
};

export class Coordinator {
  readonly follower: ReplayFollower;
  readonly health: HealthMonitor;
  readonly replicationFactor: number;
  private publisherRef: EventPublisher | undefined;
  private readonly o: CoordinatorOptions;
  private readonly log: DALogger;
  /** The chain's view of the registry (registrations + stake weights) at one height, refreshed every 10 s. */
  private chainInput: { input: ChainPlacementInput; at: number } | undefined;
  private readonly challengeFailures = new Map<string, number>();
  /** node → when its last fault report went out (one report per node per hour at most). */
  private readonly faultReportedAt = new Map<string, number>();
  /** Fault reports accepted by the chain since start. */
  faultsReported = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private reconciling: Promise<void> | undefined;
  private stopped = false;
  /** Heals (re-placements) published since start, for /health and the benchmark. */
  heals = 0;

  constructor(options: CoordinatorOptions) {
    this.o = options;
    this.log = options.logger ?? stderrLogger;
    this.replicationFactor = options.replicationFactor ?? DEFAULT_REPLICATION_FACTOR;
    this.follower = new ReplayFollower({
      da: options.da,
      config: options.replay,
      checkpointDir: join(options.dataDir, "checkpoints"),
      logger: this.log,
    });
    this.health = new HealthMonitor({
      targets: () =>
        this.state
          .listNodes()
          .filter((n) => n.status === "active" || n.status === "offline")
          .map((n) => ({ nodeId: n.nodeId, endpoint: n.endpoint })),
      ...(options.healthIntervalMs !== undefined ? { intervalMs: options.healthIntervalMs } : {}),
      ...(options.deadAfterMs !== undefined ? { deadAfterMs: options.deadAfterMs } : {}),
    });
  }

  get state(): ReplayState {
    return this.follower.state;
  }

  get publisher(): EventPublisher {
    if (!this.publisherRef) throw new BaseError(ErrorCode.Unavailable, "coordinator not started");
    return this.publisherRef;
  }

  /** Catches up with DA, opens the publisher after its last sequence on DA, and starts the background loops. */
  async start(): Promise<void> {
    await this.follower.syncToHead();
    this.publisherRef = await EventPublisher.open({
      da: this.o.da,
      secretKey: this.o.secretKey,
      outboxPath: join(this.o.dataDir, "outbox.sqlite"),
      observedHeight: () => this.follower.height,
      knownSequence: this.follower.machine.appliedSequence(this.publisherKeyHex()),
      maxDelayMs: 20,
      logger: this.log,
    });
    this.follower.start();
    this.health.start();
    const every = (ms: number, f: () => Promise<void>) => {
      const arm = () => {
        const t = setTimeout(() => {
          this.timers.delete(t);
          if (this.stopped) return;
          f()
            .catch((e) => this.log.warn("coordinator background task failed", { error: (e as Error).message }))
            .finally(() => {
              if (!this.stopped) arm();
            });
        }, ms);
        this.timers.add(t);
      };
      arm();
    };
    every(this.o.reconcileIntervalMs ?? 2000, () => (this.reconciling = this.reconcile()));
    const ch = this.o.challengeIntervalMs ?? 5000;
    if (ch > 0) every(ch, () => this.randomChallenge().then(() => undefined));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.reconciling?.catch(() => {});
    await this.health.stop();
    await this.follower.stop();
    await this.publisherRef?.close();
  }

  /** The publisher key (hex) replayers must list as a coordinator. */
  publisherKeyHex(): string {
    return toHex(ed25519KeyPair(this.o.secretKey).publicKey);
  }

  /** Publishes events atomically and waits until this coordinator's own replay has applied them. */
  async publishAndApply(events: readonly DAEventInput[]): Promise<bigint> {
    const seqs = await this.publisher.publishMany(events);
    const ref = await this.publisher.waitPosted(seqs[seqs.length - 1]!);
    await this.follower.waitForHeight(ref.height);
    return ref.height;
  }

  // ---- registration ----

  /** Admits a node (all gatekeeping checks) and records it on DA as Active. */
  async register(registrationBytes: Uint8Array): Promise<{ nodeId: string; status: NodeStatusName; daHeight: bigint }> {
    let reg: NodeRegistered;
    try {
      reg = NodeRegistered.decode(registrationBytes);
    } catch (e) {
      throw new InvalidArgumentError("registration is not a dsdn.da.v1.NodeRegistered", { cause: e });
    }
    await admitNode(reg, this.o.chain, {
      probe: this.o.probeEndpoints !== false,
      allowPrivateEndpoints: this.o.allowPrivateEndpoints === true,
    });
    const nodeId = toHex(reg.nodeId);
    const events: DAEventInput[] = [];
    const known = this.state.getNode(nodeId);
    if (!known || known.registeredAtHeight < reg.registeredAtHeight)
      events.push({ type: "nodeRegistered", value: reg });
    events.push({
      type: "nodeStatusChanged",
      value: {
        nodeId: reg.nodeId,
        status: NodeStatus.NODE_STATUS_ACTIVE,
        reason: "admitted: stake and identity verified on chain",
      },
    });
    const daHeight = await this.publishAndApply(events);
    this.log.info("node admitted", { nodeId, zone: reg.zone, operator: reg.operator });
    return { nodeId, status: this.state.getNode(nodeId)?.status ?? "pending", daHeight };
  }

  // ---- placement ----

  /**
   * Registrations and stake weights of every DA-registered node, read from the chain at one height (kept
   * 10 s, re-read at once when a node is new). On a chain outage the last snapshot is used.
   */
  async chainPlacementInput(): Promise<ChainPlacementInput> {
    const ids = this.state.listNodes().map((n) => n.nodeId);
    const c = this.chainInput;
    if (c && Date.now() - c.at < 10_000 && ids.every((id) => c.input.nodes.has(id))) return c.input;
    try {
      const input = await readChainPlacementInput(this.o.chain, ids);
      this.chainInput = { input, at: Date.now() };
      return input;
    } catch (e) {
      if (c) return c.input;
      throw new BaseError(ErrorCode.Unavailable, "cannot read node registrations from the chain", { cause: e });
    }
  }

  /**
   * Placement of `cid` from DA state and the chain's registrations and stake weights at a recorded height —
   * the same function `dsdn-node placement` runs (at that height).
   */
  async placement(cid: string, uploader?: string, rf = this.replicationFactor): Promise<Placement> {
    if (!isValidCid(cid)) throw new InvalidArgumentError(`"${cid.slice(0, 80)}" is not a CIDv1 raw sha2-256`);
    const chain = await this.chainPlacementInput();
    return placeChunk({
      cid,
      nodes: placementCandidates(this.state, chain),
      replicationFactor: rf,
      chainHeight: chain.height,
      ...(uploader ? { uploader } : {}),
    });
  }

  // ---- chunks ----

  /**
   * Records uploaded chunks: each must carry a valid signed ack from at least one of its placed nodes.
   * Publishes ChunkDeclared (with the placement) and one ReplicaAdded per acknowledging placed node.
   */
  async declare(
    manifestCid: string,
    uploader: string,
    chunks: readonly DeclaredChunkInput[],
  ): Promise<{
    daHeight: bigint;
    chunks: { cid: string; placement: string[]; replicas: string[] }[];
  }> {
    if (!isValidCid(manifestCid)) throw new InvalidArgumentError("manifestCid is not a CIDv1 raw sha2-256");
    const principal = uploaderPrincipal(uploader);
    const events: DAEventInput[] = [];
    const result: { cid: string; placement: string[]; replicas: string[] }[] = [];
    for (const c of chunks) {
      const size = BigInt(c.size);
      const p = await this.placement(c.cid, uploader);
      const placed = new Set(p.nodes.map((n) => n.nodeId));
      const replicas: { nodeId: string; ack: Uint8Array }[] = [];
      for (const a of c.acks) {
        const bytes = Buffer.from(a, "base64");
        const ack = verifyAck(bytes);
        if (!ack) throw new BaseError(ErrorCode.InvalidSignature, `an acknowledgement for ${c.cid} does not verify`);
        const node = toHex(ack.nodePubkey);
        if (ack.cid !== c.cid || ack.size !== size)
          throw new BaseError(
            ErrorCode.InvalidArgument,
            `node ${node.slice(0, 16)}… acknowledged ${ack.cid}/${ack.size}, not ${c.cid}/${size}`,
          );
        if (placed.has(node) && !replicas.some((r) => r.nodeId === node)) replicas.push({ nodeId: node, ack: bytes });
      }
      if (replicas.length === 0)
        throw new BaseError(ErrorCode.Conflict, `no placed node acknowledged ${c.cid}`, {
          details: `placement: ${[...placed].map((n) => n.slice(0, 16)).join(", ")}`,
        });
      events.push({
        type: "chunkDeclared",
        value: {
          cid: c.cid,
          size,
          manifestCid,
          uploader: principal,
          placement: p.nodes.map((n) => Buffer.from(fromHex(n.nodeId))),
          replicationFactor: p.replicationFactor,
          chainHeight: p.chainHeight ?? 0n,
        },
      });
      for (const r of replicas)
        events.push({
          type: "replicaAdded",
          value: { cid: c.cid, nodeId: Buffer.from(fromHex(r.nodeId)), ack: Buffer.from(r.ack) },
        });
      result.push({ cid: c.cid, placement: p.nodes.map((n) => n.nodeId), replicas: replicas.map((r) => r.nodeId) });
    }
    const daHeight = events.length ? await this.publishAndApply(events) : this.follower.height;
    return { daHeight, chunks: result };
  }

  /** A node reports (with its signed ack) that it now holds a chunk DA places on it — after a self-heal fetch. */
  async reportReplica(ackB64: string): Promise<{ cid: string; nodeId: string; recorded: boolean }> {
    const bytes = Buffer.from(ackB64, "base64");
    const ack = verifyAck(bytes);
    if (!ack) throw new BaseError(ErrorCode.InvalidSignature, "acknowledgement does not verify");
    const nodeId = toHex(ack.nodePubkey);
    const chunk = this.state.getChunk(ack.cid);
    if (!chunk) throw new BaseError(ErrorCode.NotFound, `chunk ${ack.cid} is not declared on DA`);
    if (ack.size !== chunk.size)
      throw new BaseError(ErrorCode.InvalidArgument, "acknowledged size differs from the declared size");
    if (!chunk.placement.includes(nodeId))
      throw new BaseError(ErrorCode.Conflict, `chunk ${ack.cid} is not placed on node ${nodeId.slice(0, 16)}…`);
    if (this.state.getNode(nodeId)?.status !== "active")
      throw new BaseError(ErrorCode.Conflict, `node ${nodeId.slice(0, 16)}… is not Active`);
    if (chunk.replicas.includes(nodeId)) return { cid: ack.cid, nodeId, recorded: false };
    await this.publisher.publish({
      type: "replicaAdded",
      value: { cid: ack.cid, nodeId: ack.nodePubkey, ack: Buffer.from(bytes) },
    });
    return { cid: ack.cid, nodeId, recorded: true };
  }

  // ---- status ----

  private usable(n: NodeInfo | undefined): boolean {
    return n !== undefined && n.status === "active" && this.health.isHealthy(n.nodeId);
  }

  chunkStatus(cid: string): ChunkStatus | undefined {
    const c = this.state.getChunk(cid);
    if (!c) return undefined;
    const replicas = c.replicas.map((id) => {
      const n = this.state.getNode(id);
      return {
        node: id,
        zone: n?.zone ?? "",
        endpoint: n?.endpoint ?? "",
        status: n?.status ?? ("unknown" as const),
        healthy: this.usable(n),
      };
    });
    const healthy = replicas.filter((r) => r.healthy);
    return {
      cid,
      size: c.size.toString(),
      manifestCid: c.manifestCid,
      placement: c.placement,
      replicationFactor: c.replicationFactor,
      replicas,
      healthyReplicas: healthy.length,
      underReplicated: new Set(healthy.map((r) => r.zone)).size < c.replicationFactor,
    };
  }

  /** For a manifest CID: the manifest and every chunk declared under it; for a chunk CID: that chunk. */
  objectStatus(cid: string): { cid: string; manifest: boolean; chunks: ChunkStatus[]; daHeight: bigint } | undefined {
    const own = this.state.getChunk(cid);
    if (!own) return undefined;
    const manifest = own.manifestCid === cid;
    const cids = manifest ? [cid, ...this.state.chunksOfManifest(cid).filter((c) => c !== cid)] : [cid];
    const chunks = cids.map((c) => this.chunkStatus(c)).filter((s): s is ChunkStatus => s !== undefined);
    return { cid, manifest, chunks, daHeight: this.follower.height };
  }

  nodes(): (NodeInfo & { healthy: boolean; latencyMs: number | null; challengeFailures: number; chunks: number })[] {
    return this.state.listNodes().map((n) => ({
      ...n,
      healthy: this.health.isHealthy(n.nodeId),
      latencyMs: this.health.get(n.nodeId)?.latencyMs ?? null,
      challengeFailures: this.challengeFailures.get(n.nodeId) ?? 0,
      chunks: this.state.chunksHeldBy(n.nodeId).length,
    }));
  }

  // ---- challenges ----

  /** Asks `nodeId` for `cid` and checks the bytes against the CID; a failure removes the replica from DA. */
  async challenge(cid: string, nodeId: string): Promise<ChallengeResult> {
    const node = this.state.getNode(nodeId);
    const chunk = this.state.getChunk(cid);
    if (!node || !chunk) throw new BaseError(ErrorCode.NotFound, "unknown node or chunk");
    const result = await challengeReplica(node.endpoint, cid, Number(chunk.size));
    if (result.outcome === "failed" && this.state.replicasOf(cid).includes(nodeId)) {
      this.challengeFailures.set(nodeId, (this.challengeFailures.get(nodeId) ?? 0) + 1);
      this.log.warn("storage challenge failed; replica removed", { cid, nodeId, reason: result.reason });
      if (result.wrongBytes) void this.reportFault(nodeId, `challenge ${cid}: ${result.reason}`);
      await this.publishAndApply([
        {
          type: "replicaRemoved",
          value: {
            cid,
            nodeId: Buffer.from(fromHex(nodeId)),
            reason: `failed storage challenge: ${result.reason}`.slice(0, 250),
          },
        },
      ]);
    }
    return result;
  }

  /** Wrong bytes for a CID are proof (anyone can re-run the hash): report it, at most once an hour per node. */
  private async reportFault(nodeId: string, evidence: string): Promise<void> {
    const r = this.o.faultReporter;
    const last = this.faultReportedAt.get(nodeId);
    if (!r || (last !== undefined && Date.now() - last < 3_600_000)) return;
    this.faultReportedAt.set(nodeId, Date.now());
    try {
      const tx = await r.reportDataCorruption(nodeId, evidence);
      this.faultsReported++;
      this.log.warn("reported data corruption to the chain", { nodeId, txhash: tx.txhash, height: tx.height });
    } catch (e) {
      this.faultReportedAt.delete(nodeId);
      this.log.error("fault report failed", { nodeId, error: (e as Error).message });
    }
  }

  private async randomChallenge(): Promise<ChallengeResult | undefined> {
    const cids = this.state.listChunkCids();
    if (cids.length === 0) return undefined;
    const cid = cids[Math.floor(Math.random() * cids.length)]!;
    const holders = this.state.replicasOf(cid).filter((n) => this.usable(this.state.getNode(n)));
    if (holders.length === 0) return undefined;
    return this.challenge(cid, holders[Math.floor(Math.random() * holders.length)]!);
  }

  // ---- reconcile: chain status → DA, dead nodes → offline, under-replicated chunks → new placement ----

  async reconcile(): Promise<void> {
    const events: DAEventInput[] = [];
    for (const n of this.state.listNodes()) {
      if (n.status === "pending") continue; // never admitted through /nodes/register
      let want: { status: NodeStatusName; reason: string };
      const onChain = await this.o.chain.node(fromHex(n.nodeId)).catch(() => null);
      if (onChain === null) continue; // chain unreachable: change nothing
      if (!onChain) want = { status: "banned", reason: "not registered on chain" };
      else if (onChain.status !== "active")
        want = { status: onChain.status, reason: `chain: ${onChain.statusReason || onChain.status}` };
      else if (this.health.isDead(n.nodeId)) want = { status: "offline", reason: "failed health checks" };
      else if (n.status === "offline" && !this.health.isHealthy(n.nodeId)) continue;
      else want = { status: "active", reason: "chain Active and healthy" };
      if (want.status !== n.status)
        events.push({
          type: "nodeStatusChanged",
          value: { nodeId: Buffer.from(fromHex(n.nodeId)), status: STATUS_ENUM[want.status], reason: want.reason },
        });
    }
    if (events.length) await this.publishAndApply(events);
    await this.repair();
  }

  /**
   * Re-places chunks whose declared placement names a node that is no longer Active: the new placement is
   * the pure placement over today's registry (rendezvous keeps the surviving replicas), published as
   * ChunkDeclared, and replicas on non-Active nodes are removed. The newly placed nodes fetch by themselves.
   */
  async repair(): Promise<number> {
    const max = this.o.maxHealsPerRound ?? 64;
    const events: DAEventInput[] = [];
    let healed = 0;
    const nodes = this.state.listNodes();
    const chain = await this.chainPlacementInput();
    const candidates = placementCandidates(this.state, chain);
    const active = new Set(nodes.filter((n) => n.status === "active").map((n) => n.nodeId));
    for (const cid of this.state.listChunkCids()) {
      if (healed >= max) break;
      const c = this.state.getChunk(cid)!;
      const lost = c.placement.filter((n) => !active.has(n));
      if (lost.length === 0) continue;
      const rec = this.state.chunks.get(cid)!;
      const uploader = c.uploader;
      const p = placeChunk({
        cid,
        nodes: candidates,
        replicationFactor: c.replicationFactor,
        uploader,
        chainHeight: chain.height,
      });
      const next = p.nodes.map((n) => n.nodeId);
      if (next.length === 0 || (next.length === c.placement.length && next.every((n, i) => n === c.placement[i])))
        continue;
      events.push({
        type: "chunkDeclared",
        value: { ...rec.chunk, placement: next.map((n) => Buffer.from(fromHex(n))), chainHeight: chain.height },
      });
      for (const n of c.replicas)
        if (!active.has(n))
          events.push({
            type: "replicaRemoved",
            value: { cid, nodeId: Buffer.from(fromHex(n)), reason: "node not Active" },
          });
      healed++;
    }
    if (events.length) {
      this.heals += healed;
      this.log.info("re-placing under-replicated chunks", { chunks: healed });
      await this.publishAndApply(events);
    }
    return healed;
  }
}
