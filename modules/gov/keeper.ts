/**
 * @module gov keeper: proposals (stored in the SDK's cosmos.gov.v1 form), votes, deposits in escrow, the
 * deposit and voting queues (block time), tallies weighted by validator voting power, and execution of
 * passed proposals' messages (param changes, other modules' handlers) — at once in full mode, after the
 * foundation's approval in bootstrap mode.
 */
import type { Coin } from "cosmjs-types/cosmos/base/v1beta1/coin";
import { Deposit, Proposal, ProposalStatus, Vote, VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import type { Context } from "../../chain-app/context.js";
import { canonicalJson, concat, fromUtf8, prefixEnd, readU64be, u64be, utf8 } from "../../chain-app/encoding.js";
import type { KVStore } from "../../chain-app/store/index.js";
import { decodeMessage } from "../../common/protobuf.js";
import { toBech32Address } from "../../common/secp256k1.js";
import { Execution, ExecutionStatus, executionStatusToJSON } from "../../proto/gen/dsdn/gov/v1/gov.js";
import { addressBytesOf } from "../auth/keeper.js";
import { ModuleAccount } from "../auth/moduleAccounts.js";
import { GovErrors } from "./errors.js";
import { EventType, executeEvent, proposalEndedEvent } from "./events.js";
import type { BankKeeper, ParamsRouter, StakeKeeper } from "./expectedKeepers.js";
import {
  depositKey,
  depositQueueKey,
  depositsPrefix,
  executionKey,
  MODULE_NAME,
  nextIdKey,
  Prefix,
  paramsKey,
  proposalKey,
  voteKey,
  votesPrefix,
  votingQueueKey,
} from "./keys.js";
import { defaultGovParams, type GovParams, parseGovParams } from "./params.js";
import { type ProposalHandler, type ProposalHandlers, runProposalMessages } from "./proposalHandlers.js";
import { addVote, judge, type Tally, ZERO_TALLY } from "./tally.js";

const ts = (seconds: bigint) => ({ seconds, nanos: 0 });
const range = (prefix: Uint8Array) => ({ start: prefix, end: prefixEnd(prefix) });

/** Whether block time has reached `end` (the end block at or past it ends the period, so nothing counts from then). */
const ended = (ctx: Context, end: { seconds: bigint } | undefined): boolean =>
  end !== undefined && ctx.block.timeSeconds >= end.seconds;

export class GovKeeper {
  private router: ParamsRouter = new Map();
  private handlers: ProposalHandlers = new Map();

  constructor(
    private readonly bank: BankKeeper,
    private readonly stake: StakeKeeper,
  ) {}

  /** Every module's governable params; set once by the app after all modules are built. */
  setParamsRouter(router: ParamsRouter): void {
    this.router = router;
  }

  paramsRouter(): ParamsRouter {
    return this.router;
  }

  /** Proposal messages other modules execute (compliance's block/unblock …); set once by the app. */
  setProposalHandlers(handlers: readonly ProposalHandler[]): void {
    const m = new Map<string, ProposalHandler>();
    for (const h of handlers) {
      if (m.has(h.typeUrl)) throw new Error(`proposal handler ${h.typeUrl} registered twice`);
      m.set(h.typeUrl, h);
    }
    this.handlers = m;
  }

  private store(ctx: Context): KVStore {
    return ctx.moduleStore(MODULE_NAME);
  }

  getParams(ctx: Context): GovParams {
    const raw = this.store(ctx).get(paramsKey);
    return raw ? parseGovParams(JSON.parse(fromUtf8(raw))) : defaultGovParams;
  }

  setParams(ctx: Context, p: GovParams): void {
    this.store(ctx).set(paramsKey, utf8(canonicalJson(p)));
  }

  // ---- proposals --------------------------------------------------------------------------------

  getProposal(ctx: Context, id: bigint): Proposal | undefined {
    const raw = this.store(ctx).get(proposalKey(id));
    return raw ? Proposal.decode(raw) : undefined;
  }

  mustGetProposal(ctx: Context, id: bigint): Proposal {
    const p = this.getProposal(ctx, id);
    if (!p) throw GovErrors.UnknownProposal.wrap(`proposal ${id}`);
    return p;
  }

  setProposal(ctx: Context, p: Proposal): void {
    this.store(ctx).set(proposalKey(p.id), Proposal.encode(p).finish());
  }

  /** Proposals in id order from `startId`. */
  *proposals(ctx: Context, startId = 0n): Generator<Proposal> {
    const start = concatPrefix(Prefix.Proposal, u64be(startId));
    for (const [, v] of this.store(ctx).iterate({ start, end: Uint8Array.of(Prefix.Proposal + 1) }))
      yield Proposal.decode(v);
  }

  nextProposalId(ctx: Context): bigint {
    const raw = this.store(ctx).get(nextIdKey);
    return raw ? readU64be(raw) : 1n;
  }

  setNextProposalId(ctx: Context, id: bigint): void {
    this.store(ctx).set(nextIdKey, u64be(id));
  }

  /** Checks the messages (module validation included), stores the proposal, takes the initial deposit. */
  submit(
    ctx: Context,
    fields: { messages: Proposal["messages"]; title: string; summary: string; metadata: string; proposer: string },
    initialDeposit: readonly Coin[],
  ): Proposal {
    const p = this.getParams(ctx);
    this.assertValidator(ctx, fields.proposer, GovErrors.InvalidProposer);
    if (BigInt(fields.title.length) > p.maxTitleLength || fields.title.trim() === "")
      throw GovErrors.InvalidProposalContent.wrap(`title must be 1..${p.maxTitleLength} characters`);
    if (BigInt(fields.summary.length) > p.maxSummaryLength)
      throw GovErrors.InvalidProposalContent.wrap(`summary longer than ${p.maxSummaryLength}`);
    if (BigInt(fields.metadata.length) > p.maxMetadataLength) throw GovErrors.MetadataTooLong;
    const id = this.nextProposalId(ctx);
    // A dry run on a throwaway branch: a message that cannot apply now never reaches a vote.
    runProposalMessages(ctx, {
      params: this.router,
      handlers: this.handlers,
      messages: fields.messages,
      govParams: p,
      origin: { proposalId: id, proposer: fields.proposer },
      commit: false,
    });
    this.setNextProposalId(ctx, id + 1n);
    const now = ctx.block.timeSeconds;
    const proposal: Proposal = Proposal.fromPartial({
      id,
      messages: fields.messages,
      status: ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD,
      finalTallyResult: { yesCount: "0", abstainCount: "0", noCount: "0", noWithVetoCount: "0" },
      submitTime: ts(now),
      depositEndTime: ts(now + p.maxDepositPeriodSeconds),
      totalDeposit: [],
      metadata: fields.metadata,
      title: fields.title,
      summary: fields.summary,
      proposer: fields.proposer,
    });
    this.setProposal(ctx, proposal);
    this.store(ctx).set(depositQueueKey(now + p.maxDepositPeriodSeconds, id), new Uint8Array());
    if (initialDeposit.length > 0) this.addDeposit(ctx, id, fields.proposer, initialDeposit);
    return this.mustGetProposal(ctx, id);
  }

  private assertValidator(ctx: Context, address: string, err: typeof GovErrors.InvalidProposer): bigint {
    const v = this.stake.getValidator(ctx, addressBytesOf(address));
    if (!v || v.jailed || v.power <= 0n) throw err.wrap(address);
    return v.power;
  }

  /** Escrows a deposit; reaching the minimum starts the voting period. */
  addDeposit(ctx: Context, id: bigint, depositor: string, amount: readonly Coin[]): Proposal {
    const p = this.getParams(ctx);
    const proposal = this.mustGetProposal(ctx, id);
    if (
      proposal.status !== ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD &&
      proposal.status !== ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD
    )
      throw GovErrors.InactiveProposal.wrap(`proposal ${id}`);
    const deadline =
      proposal.status === ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD
        ? proposal.depositEndTime
        : proposal.votingEndTime;
    if (ended(ctx, deadline))
      throw GovErrors.InactiveProposal.wrap(
        `proposal ${id}: ${proposal.status === ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD ? "deposit period" : "voting"} ended`,
      );
    if (amount.length !== 1 || amount[0]!.denom !== p.depositDenom)
      throw GovErrors.InvalidDeposit.wrap(`deposit must be in ${p.depositDenom} only`);
    const value = BigInt(amount[0]!.amount);
    if (value <= 0n) throw GovErrors.InvalidDeposit.wrap("deposit must be positive");
    const who = addressBytesOf(depositor);
    const key = depositKey(id, who);
    const prev = this.store(ctx).get(key);
    if (!prev) {
      let n = 0n;
      for (const _ of this.store(ctx).iterate(range(depositsPrefix(id))))
        if (++n >= p.maxDepositors)
          throw GovErrors.InvalidDeposit.wrap(`proposal ${id} has ${p.maxDepositors} depositors already`);
    }
    this.bank.sendFromAccountToModule(ctx, who, ModuleAccount.Gov, [{ denom: p.depositDenom, amount: value }]);
    const had = prev ? BigInt(Deposit.decode(prev).amount[0]?.amount ?? "0") : 0n;
    const d: Deposit = {
      proposalId: id,
      depositor: toBech32Address(who),
      amount: [{ denom: p.depositDenom, amount: (had + value).toString() }],
    };
    this.store(ctx).set(key, Deposit.encode(d).finish());
    const total = BigInt(proposal.totalDeposit[0]?.amount ?? "0") + value;
    let next: Proposal = { ...proposal, totalDeposit: [{ denom: p.depositDenom, amount: total.toString() }] };
    if (next.status === ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD && total >= p.minDeposit) {
      const now = ctx.block.timeSeconds;
      this.store(ctx).delete(depositQueueKey(proposal.depositEndTime!.seconds, id));
      next = {
        ...next,
        status: ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD,
        votingStartTime: ts(now),
        votingEndTime: ts(now + p.votingPeriodSeconds),
      };
      this.store(ctx).set(votingQueueKey(now + p.votingPeriodSeconds, id), new Uint8Array());
    }
    this.setProposal(ctx, next);
    return next;
  }

  *deposits(ctx: Context, id: bigint): Generator<Deposit> {
    for (const [, v] of this.store(ctx).iterate(range(depositsPrefix(id)))) yield Deposit.decode(v);
  }

  getDeposit(ctx: Context, id: bigint, depositor: string): Deposit | undefined {
    const raw = this.store(ctx).get(depositKey(id, addressBytesOf(depositor)));
    return raw ? Deposit.decode(raw) : undefined;
  }

  /** Deposits go back to their depositors whatever the outcome (no governance slashing). */
  private refundDeposits(ctx: Context, id: bigint): void {
    const all = [...this.deposits(ctx, id)];
    for (const d of all) {
      const amount = BigInt(d.amount[0]?.amount ?? "0");
      const who = addressBytesOf(d.depositor);
      if (amount > 0n)
        this.bank.sendFromModuleToAccount(ctx, ModuleAccount.Gov, who, [{ denom: d.amount[0]!.denom, amount }]);
      this.store(ctx).delete(depositKey(id, who));
    }
  }

  // ---- votes ------------------------------------------------------------------------------------

  vote(ctx: Context, id: bigint, voter: string, option: VoteOption, metadata: string): void {
    const p = this.getParams(ctx);
    if (
      option !== VoteOption.VOTE_OPTION_YES &&
      option !== VoteOption.VOTE_OPTION_NO &&
      option !== VoteOption.VOTE_OPTION_ABSTAIN &&
      option !== VoteOption.VOTE_OPTION_NO_WITH_VETO
    )
      throw GovErrors.InvalidVote.wrap(String(option));
    if (BigInt(metadata.length) > p.maxMetadataLength) throw GovErrors.MetadataTooLong;
    const proposal = this.mustGetProposal(ctx, id);
    if (proposal.status !== ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD)
      throw GovErrors.InactiveProposal.wrap(`proposal ${id}`);
    // The end block of the first block at or past the end time tallies (later if many end at once): a tx in
    // that block must not still vote.
    this.assertValidator(ctx, voter, GovErrors.InvalidVoter);
    if (ended(ctx, proposal.votingEndTime)) throw GovErrors.InactiveProposal.wrap(`proposal ${id}: voting ended`);
    const who = addressBytesOf(voter);
    const v: Vote = {
      proposalId: id,
      voter: toBech32Address(who),
      options: [{ option, weight: "1.000000000000000000" }],
      metadata,
    };
    this.store(ctx).set(voteKey(id, who), Vote.encode(v).finish());
  }

  getVote(ctx: Context, id: bigint, voter: string): Vote | undefined {
    const raw = this.store(ctx).get(voteKey(id, addressBytesOf(voter)));
    return raw ? Vote.decode(raw) : undefined;
  }

  *votes(ctx: Context, id: bigint): Generator<Vote> {
    for (const [, v] of this.store(ctx).iterate(range(votesPrefix(id)))) yield Vote.decode(v);
  }

  /**
   * The tally now: each vote weighs its validator's current voting power (a validator that left the active
   * set or was jailed counts 0); total = Σ active power. Votes are only validators', so this reads at most
   * maxValidators records.
   */
  tally(ctx: Context, id: bigint): { tally: Tally; totalPower: bigint } {
    let totalPower = 0n;
    for (const [, v] of this.stake.activeValidators(ctx)) if (!v.jailed) totalPower += v.power;
    let t = ZERO_TALLY;
    for (const vote of this.votes(ctx, id)) {
      const v = this.stake.getValidator(ctx, addressBytesOf(vote.voter));
      const power = v && !v.jailed ? v.power : 0n;
      t = addVote(t, vote.options[0]?.option ?? VoteOption.VOTE_OPTION_UNSPECIFIED, power);
    }
    return { tally: t, totalPower };
  }

  private deleteVotes(ctx: Context, id: bigint): void {
    const keys: Uint8Array[] = [];
    for (const [k] of this.store(ctx).iterate(range(votesPrefix(id)))) keys.push(k.slice());
    for (const k of keys) this.store(ctx).delete(k);
  }

  // ---- execution --------------------------------------------------------------------------------

  getExecution(ctx: Context, id: bigint): Execution | undefined {
    const raw = this.store(ctx).get(executionKey(id));
    return raw ? decodeMessage(Execution, raw, "Execution") : undefined;
  }

  setExecution(ctx: Context, e: Execution): void {
    this.store(ctx).set(executionKey(e.proposalId), Execution.encode(e).finish());
    ctx.emit(executeEvent(e.proposalId, executionStatusToJSON(e.status), e.reason));
  }

  *executions(ctx: Context): Generator<Execution> {
    const start = Uint8Array.of(Prefix.Execution);
    for (const [, v] of this.store(ctx).iterate({ start, end: Uint8Array.of(Prefix.Execution + 1) }))
      yield Execution.decode(v);
  }

  /**
   * Runs a passed proposal's messages, all or nothing; a failure marks the proposal FAILED. When it switches
   * bootstrap mode off, the proposals still awaiting the foundation are resolved at once (see below).
   */
  execute(ctx: Context, proposal: Proposal): Execution {
    const wasBootstrap = this.getParams(ctx).bootstrap;
    let exec: Execution;
    try {
      runProposalMessages(ctx, {
        params: this.router,
        handlers: this.handlers,
        messages: proposal.messages,
        govParams: this.getParams(ctx),
        origin: { proposalId: proposal.id, proposer: proposal.proposer },
        commit: true,
      });
      exec = {
        proposalId: proposal.id,
        status: ExecutionStatus.EXECUTION_STATUS_EXECUTED,
        height: ctx.block.height,
        reason: "",
      };
    } catch (e) {
      const reason = (e as Error).message;
      exec = {
        proposalId: proposal.id,
        status: ExecutionStatus.EXECUTION_STATUS_FAILED,
        height: ctx.block.height,
        reason,
      };
      this.setProposal(ctx, { ...proposal, status: ProposalStatus.PROPOSAL_STATUS_FAILED, failedReason: reason });
    }
    this.setExecution(ctx, exec);
    if (wasBootstrap && exec.status === ExecutionStatus.EXECUTION_STATUS_EXECUTED && !this.getParams(ctx).bootstrap)
      this.resolveAwaitingAtSwitch(ctx);
    return exec;
  }

  /**
   * The switch to full governance: nobody may approve or veto any more, so a passed proposal still awaiting
   * the foundation would wait forever. Each (in id order) is re-judged under the full rules now in force —
   * its final tally (the voting power at its end) against the tally params after the switch, with today's
   * total active power as the quorum base — and executes now if it passes them, else is dropped
   * (REJECTED, execution DROPPED, with the reason). If an executed one turns bootstrap back on, the rest
   * stay with the foundation. A one-time walk over the execution records (one per passed proposal).
   */
  private resolveAwaitingAtSwitch(ctx: Context): void {
    const awaiting = [...this.executions(ctx)].filter(
      (e) => e.status === ExecutionStatus.EXECUTION_STATUS_AWAITING_FOUNDATION,
    );
    for (const e of awaiting) {
      const p = this.getParams(ctx);
      if (p.bootstrap) return;
      const proposal = this.mustGetProposal(ctx, e.proposalId);
      let totalPower = 0n;
      for (const [, v] of this.stake.activeValidators(ctx)) if (!v.jailed) totalPower += v.power;
      const t = proposal.finalTallyResult;
      const tally: Tally = {
        yes: BigInt(t?.yesCount || "0"),
        abstain: BigInt(t?.abstainCount || "0"),
        no: BigInt(t?.noCount || "0"),
        veto: BigInt(t?.noWithVetoCount || "0"),
      };
      const outcome = judge(tally, totalPower, p);
      if (outcome.passed) {
        this.execute(ctx, proposal);
        continue;
      }
      const reason = `not passed under full governance at the switch: ${outcome.reason}`;
      this.setProposal(ctx, { ...proposal, status: ProposalStatus.PROPOSAL_STATUS_REJECTED, failedReason: reason });
      this.setExecution(ctx, {
        proposalId: proposal.id,
        status: ExecutionStatus.EXECUTION_STATUS_DROPPED,
        height: ctx.block.height,
        reason,
      });
    }
  }

  /** The foundation approves a passed proposal awaiting it: its messages run now. */
  foundationApprove(ctx: Context, signer: string, id: bigint): Execution {
    this.assertFoundation(ctx, signer);
    const proposal = this.mustGetProposal(ctx, id);
    const e = this.getExecution(ctx, id);
    if (
      proposal.status !== ProposalStatus.PROPOSAL_STATUS_PASSED ||
      e?.status !== ExecutionStatus.EXECUTION_STATUS_AWAITING_FOUNDATION
    )
      throw GovErrors.NotAwaitingFoundation.wrap(`proposal ${id}`);
    return this.execute(ctx, proposal);
  }

  /** The foundation vetoes a proposal that has not executed (in its deposit or voting period, or passed and waiting). */
  foundationVeto(ctx: Context, signer: string, id: bigint, reason: string): void {
    this.assertFoundation(ctx, signer);
    const proposal = this.mustGetProposal(ctx, id);
    const e = this.getExecution(ctx, id);
    const open =
      proposal.status === ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD ||
      proposal.status === ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD;
    const waiting =
      proposal.status === ProposalStatus.PROPOSAL_STATUS_PASSED &&
      e?.status === ExecutionStatus.EXECUTION_STATUS_AWAITING_FOUNDATION;
    if (!open && !waiting) throw GovErrors.NotVetoable.wrap(`proposal ${id}`);
    let final = proposal;
    if (open) {
      final = { ...final, finalTallyResult: tallyResult(this.tally(ctx, id).tally) };
      this.dequeue(ctx, proposal);
      this.refundDeposits(ctx, id);
      this.deleteVotes(ctx, id);
    }
    const why = `vetoed by the foundation${reason ? `: ${reason}` : ""}`;
    this.setProposal(ctx, { ...final, status: ProposalStatus.PROPOSAL_STATUS_REJECTED, failedReason: why });
    this.setExecution(ctx, {
      proposalId: id,
      status: ExecutionStatus.EXECUTION_STATUS_VETOED,
      height: ctx.block.height,
      reason,
    });
  }

  private assertFoundation(ctx: Context, signer: string): void {
    const p = this.getParams(ctx);
    if (!p.bootstrap) throw GovErrors.NotBootstrap;
    let who = "";
    try {
      who = toBech32Address(addressBytesOf(signer));
    } catch {}
    if (p.foundation === "" || who !== toBech32Address(addressBytesOf(p.foundation)))
      throw GovErrors.NotFoundation.wrap(signer);
  }

  private dequeue(ctx: Context, proposal: Proposal): void {
    if (proposal.depositEndTime) this.store(ctx).delete(depositQueueKey(proposal.depositEndTime.seconds, proposal.id));
    if (proposal.votingEndTime) this.store(ctx).delete(votingQueueKey(proposal.votingEndTime.seconds, proposal.id));
  }

  // ---- end block --------------------------------------------------------------------------------

  /**
   * Ends proposals whose deposit or voting period is over (block time), at most `maxEndingPerBlock`, in
   * queue order. Deposits are refunded; votes are dropped once tallied (the final tally is kept).
   */
  endBlock(ctx: Context): void {
    const p = this.getParams(ctx);
    let budget = p.maxEndingPerBlock;
    const due = (prefix: number) => {
      const out: bigint[] = [];
      const end = concatPrefix(prefix, u64be(ctx.block.timeSeconds + 1n));
      for (const [k] of this.store(ctx).iterate({ start: Uint8Array.of(prefix), end })) {
        if (BigInt(out.length) >= budget) break;
        out.push(readU64be(k.subarray(9, 17)));
      }
      budget -= BigInt(out.length);
      return out;
    };
    for (const id of due(Prefix.DepositQueue)) {
      const proposal = this.mustGetProposal(ctx, id);
      this.dequeue(ctx, proposal);
      this.refundDeposits(ctx, id);
      this.setProposal(ctx, {
        ...proposal,
        status: ProposalStatus.PROPOSAL_STATUS_REJECTED,
        failedReason: "minimum deposit not reached",
      });
      ctx.emit(proposalEndedEvent(EventType.InactiveProposal, id, "proposal_dropped"));
    }
    for (const id of due(Prefix.VotingQueue)) this.endVoting(ctx, this.mustGetProposal(ctx, id), p);
  }

  private endVoting(ctx: Context, proposal: Proposal, p: GovParams): void {
    const { tally, totalPower } = this.tally(ctx, proposal.id);
    const outcome = judge(tally, totalPower, p);
    this.dequeue(ctx, proposal);
    this.refundDeposits(ctx, proposal.id);
    this.deleteVotes(ctx, proposal.id);
    const ended: Proposal = {
      ...proposal,
      finalTallyResult: tallyResult(tally),
      status: outcome.passed ? ProposalStatus.PROPOSAL_STATUS_PASSED : ProposalStatus.PROPOSAL_STATUS_REJECTED,
      failedReason: outcome.passed ? "" : outcome.reason,
    };
    this.setProposal(ctx, ended);
    ctx.emit(
      proposalEndedEvent(
        EventType.ActiveProposal,
        proposal.id,
        outcome.passed ? "proposal_passed" : "proposal_rejected",
      ),
    );
    if (!outcome.passed || ended.messages.length === 0) return; // text proposals are advisory only
    if (p.bootstrap)
      this.setExecution(ctx, {
        proposalId: proposal.id,
        status: ExecutionStatus.EXECUTION_STATUS_AWAITING_FOUNDATION,
        height: ctx.block.height,
        reason: "",
      });
    else this.execute(ctx, ended);
  }
}

export const tallyResult = (t: Tally) => ({
  yesCount: t.yes.toString(),
  abstainCount: t.abstain.toString(),
  noCount: t.no.toString(),
  noWithVetoCount: t.veto.toString(),
});

const concatPrefix = (prefix: number, rest: Uint8Array): Uint8Array => concat(Uint8Array.of(prefix), rest);
