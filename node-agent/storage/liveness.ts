/**
 * @module The storage node's side of the chain's liveness challenges: polls the open challenge and, once per
 * period, answers it with a MsgLivenessProof signed by the node key (the tx itself by the operator's key, which
 * pays its fee). Missing the deadline costs the node uptime, hence subsidy eligibility; nothing else.
 */
import type { EncodeObject } from "@cosmjs/proto-signing";
import { livenessProofMsg } from "../../clients/sdk/subsidy.js";
import type { Ed25519KeyPair } from "../../common/ed25519.js";
import { QueryChallengeRequest, QueryChallengeResponse } from "../../proto/gen/dsdn/subsidy/v1/query.js";

/** What the responder needs from the chain: one query and one signed tx. */
export interface LivenessChain {
  readonly chainId: string;
  /** The operator's address that signs (and pays for) the answer. */
  readonly signer: string;
  query(path: string, request: Uint8Array): Promise<Uint8Array>;
  /** Broadcasts one message; resolves with the DeliverTx code and log. */
  send(msg: EncodeObject): Promise<{ code: number; rawLog?: string }>;
}

export interface LivenessResponderOptions {
  readonly chain: LivenessChain;
  readonly identity: Ed25519KeyPair;
  /** How often to look for a new challenge (ms); far below the deadline (10 min by default, seconds on a localnet). */
  readonly intervalMs?: number;
  readonly log?: (line: string) => void;
}

export class LivenessResponder {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #answered = 0n;

  constructor(private readonly o: LivenessResponderOptions) {}

  /** One look: answers the open challenge if this node has not yet. Returns the period answered, if any. */
  async tick(): Promise<bigint | undefined> {
    const c = QueryChallengeResponse.decode(
      await this.o.chain.query(
        "/dsdn.subsidy.v1.Query/Challenge",
        QueryChallengeRequest.encode({ nodeId: Buffer.from(this.o.identity.publicKey) }).finish(),
      ),
    );
    if (c.period === 0n || c.judged || c.answered || c.period <= this.#answered) return undefined;
    const msg = livenessProofMsg({
      signer: this.o.chain.signer,
      chainId: this.o.chain.chainId,
      nodeId: this.o.identity.publicKey,
      nodeSecretKey: this.o.identity.secretKey,
      period: c.period,
      seed: c.seed,
    });
    const r = await this.o.chain.send(msg);
    if (r.code !== 0) {
      this.o.log?.(`liveness: answer to challenge ${c.period} refused: ${r.rawLog ?? `code ${r.code}`}`);
      return undefined;
    }
    this.#answered = c.period;
    this.o.log?.(`liveness: answered challenge ${c.period}`);
    return c.period;
  }

  start(): void {
    const every = this.o.intervalMs ?? 5_000;
    const loop = () => {
      this.#running = this.tick()
        .then(() => undefined)
        .catch((e) => this.o.log?.(`liveness: ${String((e as Error).message ?? e).slice(0, 300)}`))
        .finally(() => {
          if (this.#timer !== undefined) this.#timer = setTimeout(loop, every);
        });
    };
    this.#timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    const t = this.#timer;
    this.#timer = undefined;
    if (t) clearTimeout(t);
    await this.#running;
  }
}
