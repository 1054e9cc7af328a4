/** @module Store layout of the gov module (keys under "gov/"). Prefixes are never reused. */
import { addrKey, concat, u64be } from "../../chain-app/encoding.js";

export const MODULE_NAME = "gov";

export const Prefix = {
  /** 0x01 -> Params (canonical JSON) */
  Params: 0x01,
  /** 0x02 | id(u64) -> cosmos.gov.v1.Proposal */
  Proposal: 0x02,
  /** 0x03 | voting end time(u64) | id(u64) -> empty: proposals in their voting period */
  VotingQueue: 0x03,
  /** 0x04 | deposit end time(u64) | id(u64) -> empty: proposals waiting for the minimum deposit */
  DepositQueue: 0x04,
  /** 0x05 | id(u64) | len(1) | voter -> cosmos.gov.v1.Vote */
  Vote: 0x05,
  /** 0x06 | id(u64) | len(1) | depositor -> cosmos.gov.v1.Deposit (in escrow until the proposal ends) */
  Deposit: 0x06,
  /** 0x07 -> next proposal id (u64) */
  NextId: 0x07,
  /** 0x08 | id(u64) -> dsdn.gov.v1.Execution */
  Execution: 0x08,
} as const;

export const paramsKey = Uint8Array.of(Prefix.Params);
export const proposalKey = (id: bigint) => concat(Uint8Array.of(Prefix.Proposal), u64be(id));
export const votingQueueKey = (end: bigint, id: bigint) =>
  concat(Uint8Array.of(Prefix.VotingQueue), u64be(end), u64be(id));
export const depositQueueKey = (end: bigint, id: bigint) =>
  concat(Uint8Array.of(Prefix.DepositQueue), u64be(end), u64be(id));
export const votesPrefix = (id: bigint) => concat(Uint8Array.of(Prefix.Vote), u64be(id));
export const voteKey = (id: bigint, voter: Uint8Array) => concat(votesPrefix(id), addrKey(voter));
export const depositsPrefix = (id: bigint) => concat(Uint8Array.of(Prefix.Deposit), u64be(id));
export const depositKey = (id: bigint, depositor: Uint8Array) => concat(depositsPrefix(id), addrKey(depositor));
export const nextIdKey = Uint8Array.of(Prefix.NextId);
export const executionKey = (id: bigint) => concat(Uint8Array.of(Prefix.Execution), u64be(id));
