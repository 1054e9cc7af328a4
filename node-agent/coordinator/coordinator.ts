/** @module The coordinator service core: follows DA, admits nodes through the chain, declares chunks, heals, challenges. */
import { join } from "node:path";
import { isValidCid } from "../../common/cid.js";
import { ed25519KeyPair } from "../../common/ed25519.js";
import { BaseError, ErrorCode, InvalidArgumentError } from "../../common/errors.js";
import { fromHex, sha256, toHex } from "../../common/hash.js";
import { decodeCanonical } from "../../common/protobuf.js";
import { isValidAddress } from "../../common/secp256k1.js";
import {
  DeleteRequested,
  NodeClass,
  NodeRegistered,
  NodeStatus,
  UploadDeclaration,
} from "../../proto/gen/dsdn/da/v1/events.js";
import { verifyDeleteRequest } from "../da/events/bindings.js";
import { checkDeclarationFields, verifyDeclaredObject, verifyUploadDeclaration } from "../da/events/declaration.js";
import type { DAEventInput } from "../da/events/event.js";
import { type DALogger, stderrLogger } from "../da/events/logger.js";
import { EventPublisher } from "../da/events/publisher.js";
import type { ReplayConfig } from "../da/replay/config.js";
import { ReplayFollower } from "../da/replay/follower.js";
import { deleteRecordId, type NodeInfo, type NodeStatusName, type ReplayState } from "../da/replay/state.js";
import type { StateChange } from "../da/replay/transition.js";
import { compareWriteKeys } from "../da/replay/writeKey.js";
import type { DALayer } from "../da/types.js";
import { type ChainPlacementInput, placementCandidates, readChainPlacementInput } from "../placement/candidates.js";
import { DEFAULT_REPLICATION_FACTOR, type Placement, placeChunk } from "../placement/placement.js";
import { placeStripe } from "../placement/stripe.js";
import { verifyAck } from "../storage/ack.js";
import { checkShardInfo, type ShardInfo, shardToProto } from "../storage/erasure/shardInfo.js";
import { MAX_MANIFEST_BYTES } from "../storage/manifest.js";
import type { ChainView } from "./chainView.js";
import { type ChallengeResult, challengeReplica } from "./challenge.js";
import type { FaultReporter } from "./faultReporter.js";
import { HealthMonitor } from "./healthMonitor.js";
import { Rebalancer } from "./rebalancer.js";
import { admitNode } from "./registration.js";
import { RepairPlanner } from "./repairPlanner.js";
import { type ChallengeRequest, ReplayGuard, verifyChallengeRequest } from "./signedRequest.js";
import { type TicketRequest, verifyTicketRequest } from "./ticketRequest.js";
import { DEFAULT_TICKET_TTL_MS, healTicket, placementTickets, type TicketGrant, type TicketIssuer } from "./tickets.js";

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
  /**
   * Erasure-coded stripes are repaired once their shards on Active nodes are at most k + this many (capped at
   * m; default ⌈m/2⌉) — Storj's repair threshold.
   */
  readonly repairSafety?: number;
  /** Rebalancing: at most this many chunks moved per reconcile round (default 16); 0 turns it off. */
  readonly maxMovesPerRound?: number;
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
  /** How long placement and heal tickets (and the acks naming them) stay valid (default 1 h). */
  readonly ticketTtlMs?: number;
  /** Localnet only: admit node endpoints on loopback and private addresses (refused otherwise, SSRF). */
  readonly allowPrivateEndpoints?: boolean;
  readonly logger?: DALogger;
}

export interface DeclaredChunkInput {
  readonly cid: string;
  readonly size: number | bigint;
  /** Position of (cid, size) in the signed list, and its RFC 6962 audit path (base64 hashes). */
  readonly index: number;
  readonly proof: readonly string[];
  /** base64 SignedStorageAck from each node that stored it (not needed for a chunk already stored and live). */
  readonly acks: readonly string[];
  /** The object is one shard of an erasure-coded chunk: its stripe (placed together, recorded on DA). */
  readonly shard?: ShardInfo;
}

/** A registration signed more than this many DA heights ago is stale: the node must sign a fresh one. */
export const MAX_REGISTRATION_AGE = 1000n;
/** A storage ack older than this cannot (re-)add a replica: replay protection for POST /replicas. */
export const MAX_ACK_AGE_MS = 10 * 60_000;
/** A replica that failed this many challenges (missing data, with the evidence kept) is removed from DA. */
export const FAILURES_BEFORE_REMOVAL = 3;

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
  /** Accounts holding a live pin on this object. */
  readonly owners: readonly string[];
  readonly placement: readonly string[];
  readonly replicationFactor: number;
  readonly replicas: readonly ReplicaView[];
  readonly healthyReplicas: number;
  readonly underReplicated: boolean;
}

/** Decodes a base64 UploadDeclaration and checks its fields and ADR-036 signature. */
export function parseDeclaration(b64: string): UploadDeclaration {
  let d: UploadDeclaration;
  try {
    d = decodeCanonical(UploadDeclaration, Buffer.from(b64, "base64"), "dsdn.da.v1.UploadDeclaration");
  } catch (e) {
    throw new InvalidArgumentError("declaration is not a canonical dsdn.da.v1.UploadDeclaration", { cause: e });
  }
  const bad = checkDeclarationFields(d) ?? (isValidCid(d.manifestCid) ? undefined : "manifest_cid is not a CID");
  if (bad) throw new InvalidArgumentError(bad);
  if (!verifyUploadDeclaration(d))
    throw new BaseError(ErrorCode.InvalidSignature, "declaration is not signed (ADR-036) by the uploader it names");
  return d;
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
  /** (cid, node) → failed challenges not yet acted on: the evidence a removal cites. */
  private readonly failureEvidence = new Map<string, string[]>();
  private readonly replayGuard = new ReplayGuard();
  private readonly ticketGuard = new ReplayGuard();
  /** node → when its last fault report went out (one report per node per hour at most). */
  private readonly faultReportedAt = new Map<string, number>();
  /** Fault reports accepted by the chain since start. */
  faultsReported = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private reconciling: Promise<void> | undefined;
  private stopped = false;
  /** What needs repair, fed by DA events. */
  readonly repairPlanner: RepairPlanner;
  /** Moves chunks onto nodes that joined, a few per round. */
  readonly rebalancer: Rebalancer;
  /** Heals (re-placements) published since start, for /health and the benchmark. */
  heals = 0;

  constructor(options: CoordinatorOptions) {
    this.o = options;
    this.log = options.logger ?? stderrLogger;
    this.replicationFactor = options.replicationFactor ?? DEFAULT_REPLICATION_FACTOR;
    const safety = options.repairSafety;
    this.rebalancer = new Rebalancer(() => this.state);
    this.repairPlanner = new RepairPlanner(
      () => this.state,
      safety === undefined ? undefined : (m: number) => Math.min(safety, m),
    );
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
    // Repair is driven by DA changes; everything is looked at once now (what changed while this was down).
    this.follower.on("change", (c: StateChange) => {
      this.repairPlanner.onChange(c);
      this.rebalancer.onChange(c);
    });
    this.repairPlanner.seedAll();
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
    const nodeId = toHex(reg.nodeId);
    // The node's replay may be a block ahead of ours: wait briefly for the height it signed at.
    if (reg.registeredAtHeight > this.follower.height && reg.registeredAtHeight <= this.follower.height + 5n)
      await Promise.race([
        this.follower.waitForHeight(reg.registeredAtHeight),
        new Promise((r) => setTimeout(r, 15_000).unref()),
      ]);
    const known = this.state.getNode(nodeId);
    const head = this.follower.height;
    // Replay protection: a captured registration is useless once it is old (the node signs a fresh one).
    if (reg.registeredAtHeight + MAX_REGISTRATION_AGE < head)
      throw new BaseError(
        ErrorCode.InvalidArgument,
        `stale registration: signed at DA height ${reg.registeredAtHeight}, head is ${head}`,
      );
    if (reg.registeredAtHeight > head)
      throw new BaseError(
        ErrorCode.InvalidArgument,
        `registration claims DA height ${reg.registeredAtHeight} > head ${head}`,
      );
    await admitNode(reg, this.o.chain, {
      probe: this.o.probeEndpoints !== false,
      allowPrivateEndpoints: this.o.allowPrivateEndpoints === true,
    });
    const events: DAEventInput[] = [];
    // Only a registration that changes something is published (a newer signature of the same fields is not).
    const same =
      known !== undefined &&
      known.operator === reg.operator &&
      known.zone === reg.zone &&
      known.class === (reg.class === NodeClass.NODE_CLASS_DATACENTER ? "datacenter" : "regular") &&
      known.capacityBytes === reg.capacityBytes &&
      known.endpoint === reg.endpoint &&
      known.tlsFingerprint === toHex(reg.tlsFingerprint);
    if (!same && (!known || known.registeredAtHeight < reg.registeredAtHeight))
      events.push({ type: "nodeRegistered", value: reg });
    // Idempotent: an Active node registering again (or a replayed request) publishes nothing.
    if (known?.status !== "active")
      events.push({
        type: "nodeStatusChanged",
        value: {
          nodeId: reg.nodeId,
          status: NodeStatus.NODE_STATUS_ACTIVE,
          reason: "admitted: stake and identity verified on chain",
        },
      });
    if (events.length === 0) return { nodeId, status: known!.status, daHeight: head };
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
  /**
   * Where shard `shard.index` of a stripe goes: `placeStripe` over the candidates, keeping siblings that DA
   * already places (so a re-upload or a repair never moves the others). Replication factor 1: the stripe's
   * parity is its redundancy.
   */
  async shardPlacement(shard: ShardInfo, uploader?: string, unhealthy?: ReadonlySet<string>): Promise<Placement> {
    const chain = await this.chainPlacementInput();
    const nodes = placementCandidates(this.state, chain, unhealthy);
    const current = new Map<number, string>();
    shard.stripe.forEach((cid, i) => {
      const placed = this.state.getChunk(cid)?.placement[0];
      if (placed !== undefined) current.set(i, placed);
    });
    const p = placeStripe({ shards: shard.stripe, parity: shard.m, nodes, current, ...(uploader ? { uploader } : {}) });
    const node = p.nodes[shard.index];
    return {
      cid: shard.stripe[shard.index]!,
      nodes: node ? [node] : [],
      replicationFactor: 1,
      underReplicated: node === undefined || p.sharedNodes > 0 || p.overZone > 0,
      eligible: nodes.filter((n) => n.status === "active").length,
      chainHeight: chain.height,
    };
  }

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

  // ---- tickets: the only authority a storage node accepts a PUT under ----

  private get ticketIssuer(): TicketIssuer {
    return { secretKey: this.o.secretKey, ttlMs: this.o.ticketTtlMs ?? DEFAULT_TICKET_TTL_MS, now: Date.now };
  }

  /** What makes an ack usable now: it names a ticket that has not expired and could have come from here. */
  private ackRules(): { ticketValidAtMs: number; maxTicketLifetimeMs: number } {
    return { ticketValidAtMs: Date.now(), maxTicketLifetimeMs: (this.o.ticketTtlMs ?? DEFAULT_TICKET_TTL_MS) + 60_000 };
  }

  /**
   * Tickets for every node of `cid`'s placement, bound to the exact size, for the uploader who signed the
   * request (ADR-036, fresh, used once): nobody can obtain tickets — or spend quota — in another's name.
   */
  async placementTickets(req: TicketRequest): Promise<{ placement: Placement; tickets: TicketGrant[] }> {
    if (!isValidAddress(req.uploader))
      throw new InvalidArgumentError(`uploader must be a nusa1… address, got "${req.uploader.slice(0, 80)}"`);
    if (!verifyTicketRequest(req))
      throw new BaseError(
        ErrorCode.InvalidSignature,
        "ticket request is not signed (ADR-036) by the uploader it names",
      );
    const replay = this.ticketGuard.use(req.signature, req.signedAtMs);
    if (replay) throw new BaseError(ErrorCode.Unauthorized, replay);
    if (req.shard) checkShardInfo(req.cid, req.size, req.shard);
    const placement = req.shard
      ? await this.shardPlacement(req.shard, req.uploader)
      : await this.placement(req.cid, req.uploader);
    return {
      placement,
      tickets: placementTickets(this.ticketIssuer, this.state, placement, req.size, req.uploader),
    };
  }

  /** A heal ticket for a node DA places `cid` on (its self-healing fetch stores under it). */
  healTicket(cid: string, nodeId: string): TicketGrant {
    return healTicket(this.ticketIssuer, this.state, cid, nodeId);
  }

  // ---- chunks ----

  /**
   * Records an upload declared by its uploader's signed declaration: each chunk must be in the signed list
   * (audit path) and carry a valid signed ack from at least one of its placed nodes, unless it is already
   * stored and live (another owner's pin: this one only adds a pin). Publishes ChunkDeclared (with the
   * placement and the declaration) and one ReplicaAdded per newly acknowledging placed node. Idempotent:
   * what DA already records is not published again.
   */
  async declare(
    declarationB64: string,
    chunks: readonly DeclaredChunkInput[],
  ): Promise<{
    daHeight: bigint;
    published: number;
    chunks: { cid: string; placement: string[]; replicas: string[] }[];
  }> {
    const d = parseDeclaration(declarationB64);
    const head = this.follower.height;
    if (d.signedAtHeight > head)
      throw new InvalidArgumentError(`declaration signed at DA height ${d.signedAtHeight}, head is only ${head}`);
    // It must land on DA (a height above today's head) by its expiry.
    if (head + 1n > d.expiresAtHeight)
      throw new BaseError(
        ErrorCode.InvalidArgument,
        `declaration expired at DA height ${d.expiresAtHeight} (head ${head})`,
      );
    const uploader = d.uploader;
    const pinKey = { height: d.signedAtHeight, tie: sha256(d.signature) };
    const events: DAEventInput[] = [];
    const result: { cid: string; placement: string[]; replicas: string[] }[] = [];
    const declaration = UploadDeclaration.fromPartial(d);
    for (const c of chunks) {
      const size = BigInt(c.size);
      const proof = c.proof.map((p) => Buffer.from(p, "base64"));
      if (!verifyDeclaredObject({ cid: c.cid, size }, c.index, Number(d.chunkCount), proof, d.chunksRoot))
        throw new BaseError(ErrorCode.InvalidArgument, `${c.cid} (${size} bytes) is not in the signed declaration`);
      if (c.cid === d.manifestCid && size > BigInt(MAX_MANIFEST_BYTES))
        throw new BaseError(ErrorCode.TooLarge, `manifest ${c.cid} is ${size} bytes (at most ${MAX_MANIFEST_BYTES})`);
      if (c.shard) checkShardInfo(c.cid, size, c.shard);
      const live = this.state.getChunk(c.cid);
      if (live && live.size !== size)
        throw new BaseError(ErrorCode.Conflict, `${c.cid} is stored with ${live.size} bytes, not ${size}`);
      // A live chunk keeps its placement: a second owner adds a pin, never moves or re-owns the data.
      const placement = live
        ? { nodes: live.placement.map((nodeId) => ({ nodeId })), replicationFactor: live.replicationFactor }
        : c.shard
          ? await this.shardPlacement(c.shard, uploader)
          : await this.placement(c.cid, uploader);
      const placed = new Set(placement.nodes.map((n) => n.nodeId));
      const replicas: { nodeId: string; ack: Uint8Array }[] = [];
      for (const a of c.acks) {
        const bytes = Buffer.from(a, "base64");
        const ack = verifyAck(bytes, this.ackRules());
        if (!ack)
          throw new BaseError(
            ErrorCode.InvalidSignature,
            `an acknowledgement for ${c.cid} does not verify, names no ticket, or its ticket has expired`,
          );
        const node = toHex(ack.nodePubkey);
        if (ack.cid !== c.cid || ack.size !== size)
          throw new BaseError(
            ErrorCode.InvalidArgument,
            `node ${node.slice(0, 16)}… acknowledged ${ack.cid}/${ack.size}, not ${c.cid}/${size}`,
          );
        if (placed.has(node) && !replicas.some((r) => r.nodeId === node)) replicas.push({ nodeId: node, ack: bytes });
      }
      const held = live?.replicas ?? [];
      if (replicas.length === 0 && held.length === 0)
        throw new BaseError(ErrorCode.Conflict, `no placed node acknowledged ${c.cid}`, {
          details: `placement: ${[...placed].map((n) => n.slice(0, 16)).join(", ")}`,
        });
      const pin = this.state.chunks.get(c.cid)?.pins.get(deleteRecordId(d.manifestCid, uploader));
      const pinned = live !== undefined && pin !== undefined && compareWriteKeys(pin.key, pinKey) >= 0;
      if (!pinned)
        events.push({
          type: "chunkDeclared",
          value: {
            cid: c.cid,
            size,
            manifestCid: d.manifestCid,
            placement: placement.nodes.map((n) => Buffer.from(fromHex(n.nodeId))),
            replicationFactor: placement.replicationFactor,
            // A live chunk keeps a placement computed earlier (its chain height is not in state: 0 = unknown).
            chainHeight: "chainHeight" in placement ? (placement.chainHeight ?? 0n) : 0n,
            declaration,
            index: c.index,
            proof,
            shard: live ? this.state.chunks.get(c.cid)?.chunk.shard : c.shard ? shardToProto(c.shard) : undefined,
          },
        });
      for (const r of replicas)
        if (!held.includes(r.nodeId))
          events.push({
            type: "replicaAdded",
            value: { cid: c.cid, nodeId: Buffer.from(fromHex(r.nodeId)), ack: Buffer.from(r.ack) },
          });
      result.push({
        cid: c.cid,
        placement: placement.nodes.map((n) => n.nodeId),
        replicas: [...new Set([...held, ...replicas.map((r) => r.nodeId)])].sort(),
      });
    }
    const daHeight = events.length ? await this.publishAndApply(events) : head;
    return { daHeight, published: events.length, chunks: result };
  }

  /**
   * Relays an owner-signed DeleteRequested: it removes only the signer's pin. Nothing is published when the
   * signer holds no live pin on that manifest, or DA already has this (or a newer) request.
   */
  async requestDelete(requestB64: string): Promise<{ daHeight: bigint; published: boolean; removed: string[] }> {
    let req: DeleteRequested;
    try {
      req = decodeCanonical(DeleteRequested, Buffer.from(requestB64, "base64"), "dsdn.da.v1.DeleteRequested");
    } catch (e) {
      throw new InvalidArgumentError("request is not a canonical dsdn.da.v1.DeleteRequested", { cause: e });
    }
    if (!verifyDeleteRequest(req))
      throw new BaseError(ErrorCode.InvalidSignature, "delete request is not signed by the owner it names");
    const owner = req.owner?.address;
    if (!owner) throw new InvalidArgumentError("delete request owner must be an account (nusa1…)");
    const head = this.follower.height;
    if (req.requestedAtHeight > head)
      throw new InvalidArgumentError(`delete request claims DA height ${req.requestedAtHeight} > head ${head}`);
    const key = { height: req.requestedAtHeight, tie: sha256(req.ownerSignature) };
    const tomb = this.state.deletes.get(deleteRecordId(req.manifestCid, owner));
    const covered = [...this.state.chunksOfPin(req.manifestCid, owner)].filter((cid) => {
      const pin = this.state.chunks.get(cid)?.pins.get(deleteRecordId(req.manifestCid, owner));
      return pin !== undefined && this.state.pinLive(pin) && compareWriteKeys(pin.key, key) < 0;
    });
    if (covered.length === 0) {
      if (tomb && compareWriteKeys(tomb.key, key) >= 0) return { daHeight: head, published: false, removed: [] };
      throw new BaseError(ErrorCode.NotFound, `${owner} holds no pin on ${req.manifestCid} older than this request`);
    }
    const daHeight = await this.publishAndApply([{ type: "deleteRequested", value: req }]);
    return { daHeight, published: true, removed: covered.sort() };
  }

  /** A node reports (with its signed ack) that it now holds a chunk DA places on it — after a self-heal fetch. */
  async reportReplica(ackB64: string): Promise<{ cid: string; nodeId: string; recorded: boolean }> {
    const bytes = Buffer.from(ackB64, "base64");
    const ack = verifyAck(bytes, this.ackRules());
    if (!ack)
      throw new BaseError(
        ErrorCode.InvalidSignature,
        "acknowledgement does not verify, names no ticket, or its ticket has expired",
      );
    const nodeId = toHex(ack.nodePubkey);
    if (Math.abs(Date.now() - Number(ack.receivedAtMs)) > MAX_ACK_AGE_MS)
      throw new BaseError(
        ErrorCode.InvalidArgument,
        "acknowledgement is too old (or from the future): sign a fresh one",
      );
    const chunk = this.state.getChunk(ack.cid);
    if (!chunk) throw new BaseError(ErrorCode.NotFound, `chunk ${ack.cid} is not declared on DA`);
    if (ack.size !== chunk.size)
      throw new BaseError(ErrorCode.InvalidArgument, "acknowledged size differs from the declared size");
    if (!chunk.placement.includes(nodeId))
      throw new BaseError(ErrorCode.Conflict, `chunk ${ack.cid} is not placed on node ${nodeId.slice(0, 16)}…`);
    if (this.state.getNode(nodeId)?.status !== "active")
      throw new BaseError(ErrorCode.Conflict, `node ${nodeId.slice(0, 16)}… is not Active`);
    if (chunk.replicas.includes(nodeId)) return { cid: ack.cid, nodeId, recorded: false };
    // Holders the chunk moved away from are dropped later, from applied state (`Rebalancer.settleMoves`).
    const events: DAEventInput[] = [
      { type: "replicaAdded", value: { cid: ack.cid, nodeId: ack.nodePubkey, ack: Buffer.from(bytes) } },
    ];
    for (const e of events) await this.publisher.publish(e);
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
      owners: c.owners,
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
    const manifest = own.manifests.includes(cid);
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

  /** POST /challenge: only a committee member (a coordinator key of the replay rules) may ask, once per request. */
  async challengeRequest(req: ChallengeRequest): Promise<ChallengeResult> {
    if (!this.o.replay.coordinators.has(req.signer))
      throw new BaseError(ErrorCode.Unauthorized, "challenges are for coordinator committee members only");
    if (!verifyChallengeRequest(req))
      throw new BaseError(ErrorCode.InvalidSignature, "challenge request signature does not verify");
    const replay = this.replayGuard.use(req.signature, req.signedAtMs);
    if (replay) throw new BaseError(ErrorCode.Unauthorized, replay);
    return this.challenge(req.cid, req.node);
  }

  /**
   * Asks `nodeId` for `cid` and checks the bytes against the CID. Wrong bytes are proof and remove the
   * replica at once; a missing chunk counts as a failure and removes it after FAILURES_BEFORE_REMOVAL of
   * them (each recorded); a timeout, slow body or 5xx only makes the replica unreachable.
   */
  async challenge(cid: string, nodeId: string): Promise<ChallengeResult> {
    const node = this.state.getNode(nodeId);
    const chunk = this.state.getChunk(cid);
    if (!node || !chunk) throw new BaseError(ErrorCode.NotFound, "unknown node or chunk");
    const result = await challengeReplica(node.endpoint, cid, Number(chunk.size));
    const id = `${cid}/${nodeId}`;
    if (result.outcome === "passed") this.failureEvidence.delete(id);
    if (result.outcome !== "failed" || !this.state.replicasOf(cid).includes(nodeId)) return result;
    this.challengeFailures.set(nodeId, (this.challengeFailures.get(nodeId) ?? 0) + 1);
    const evidence = [...(this.failureEvidence.get(id) ?? []), `${new Date().toISOString()} ${result.reason}`];
    if (!result.wrongBytes && evidence.length < FAILURES_BEFORE_REMOVAL) {
      this.failureEvidence.set(id, evidence);
      this.log.warn("storage challenge failed; replica kept until repeated", { cid, nodeId, evidence });
      return result;
    }
    this.failureEvidence.delete(id);
    this.log.warn("storage challenge failed; replica removed", { cid, nodeId, evidence });
    if (result.wrongBytes) void this.reportFault(nodeId, `challenge ${cid}: ${result.reason}`);
    const why = result.wrongBytes ? result.reason : `${evidence.length} failures, last: ${result.reason}`;
    await this.publishAndApply([
      {
        type: "replicaRemoved",
        value: { cid, nodeId: Buffer.from(fromHex(nodeId)), reason: `failed storage challenge: ${why}`.slice(0, 250) },
      },
    ]);
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
    const capacities: { nodeId: string; capacityBytes: bigint }[] = [];
    for (const n of this.state.listNodes()) {
      if (n.status === "pending") continue; // never admitted through /nodes/register
      let want: { status: NodeStatusName; reason: string };
      const onChain = await this.o.chain.node(fromHex(n.nodeId)).catch(() => null);
      if (onChain === null) continue; // chain unreachable: change nothing
      if (onChain) capacities.push({ nodeId: n.nodeId, capacityBytes: onChain.capacityBytes });
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
    // A declared capacity that changed on chain starts a rebalancing walk (its placement weight changed).
    if (this.rebalancer.observe(capacities).length > 0) this.chainInput = undefined;
    await this.repair();
    const settled = this.rebalancer.settleMoves();
    if (settled.length) await this.publishAndApply(settled);
    await this.rebalance();
  }

  /** One rate-limited step of rebalancing (after a node joined or a capacity changed); repair goes first each round. */
  async rebalance(): Promise<number> {
    const maxMoves = this.o.maxMovesPerRound ?? 16;
    if (maxMoves <= 0 || this.rebalancer.stats.pending === 0) return 0;
    const chain = await this.chainPlacementInput();
    const events = this.rebalancer.plan({
      candidates: placementCandidates(this.state, chain),
      chainHeight: chain.height,
      maxMoves,
      maxExamine: Math.max(256, maxMoves * 16),
    });
    if (events.length) {
      this.log.info("rebalancing: moving chunks to their new placement", { chunks: events.length });
      await this.publishAndApply(events);
    }
    return events.length;
  }

  /**
   * Re-places what lost a node — only the chunks DA events queued since the last round (`RepairPlanner`),
   * never a scan of every chunk: replicated chunks get the pure placement over today's registry
   * (rendezvous keeps the surviving replicas), erasure-coded stripes re-place their lost shards once they
   * are at their repair threshold. Published as ChunkDeclared (+ ReplicaRemoved for non-Active holders);
   * the newly placed nodes fetch or rebuild by themselves. At most `--max-heals` per round.
   */
  async repair(): Promise<number> {
    if (this.repairPlanner.stats.queued === 0) return 0;
    const chain = await this.chainPlacementInput();
    const { events, healed } = this.repairPlanner.plan({
      candidates: placementCandidates(this.state, chain),
      chainHeight: chain.height,
      max: this.o.maxHealsPerRound ?? 64,
    });
    if (events.length) {
      this.heals += healed;
      this.log.info("re-placing chunks that lost a node", { chunks: healed });
      await this.publishAndApply(events);
    }
    return healed;
  }
}
