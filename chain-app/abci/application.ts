/** @module The ABCI 2.0 application contract the socket server drives (one method per CometBFT request). */

import type { DeepPartial } from "cosmjs-types/helpers";
import type * as abci from "cosmjs-types/tendermint/abci/types";

/** A handler may answer synchronously or with a promise. */
export type R<T> = T | Promise<T>;

/**
 * Answers are deep partials (a superset of `Partial`): nested messages such as ExecTxResult may
 * omit fields too; `Response.fromPartial` fills every default before encoding.
 */
export type { DeepPartial };

/**
 * What a Chain Nusantara application implements. Every request is delivered one at a time, in
 * the order it arrived over all connections, so handlers never run concurrently. Business
 * failures are answers with `code != 0`; a throw from a consensus method halts CometBFT on
 * purpose (see dispatchRequest).
 */
export interface AbciApplication {
  info(req: abci.RequestInfo): R<DeepPartial<abci.ResponseInfo>>;
  initChain(req: abci.RequestInitChain): R<DeepPartial<abci.ResponseInitChain>>;
  query(req: abci.RequestQuery): R<DeepPartial<abci.ResponseQuery>>;
  checkTx(req: abci.RequestCheckTx): R<DeepPartial<abci.ResponseCheckTx>>;
  prepareProposal(req: abci.RequestPrepareProposal): R<DeepPartial<abci.ResponsePrepareProposal>>;
  processProposal(req: abci.RequestProcessProposal): R<DeepPartial<abci.ResponseProcessProposal>>;
  finalizeBlock(req: abci.RequestFinalizeBlock): R<DeepPartial<abci.ResponseFinalizeBlock>>;
  commit(req: abci.RequestCommit): R<DeepPartial<abci.ResponseCommit>>;
  /** Default: empty vote extension. */
  extendVote?(req: abci.RequestExtendVote): R<DeepPartial<abci.ResponseExtendVote>>;
  /** Default: ACCEPT. */
  verifyVoteExtension?(req: abci.RequestVerifyVoteExtension): R<DeepPartial<abci.ResponseVerifyVoteExtension>>;
  /** Default: no snapshots. */
  listSnapshots?(req: abci.RequestListSnapshots): R<DeepPartial<abci.ResponseListSnapshots>>;
  /** Default: ABORT (this app cannot be state-synced). */
  offerSnapshot?(req: abci.RequestOfferSnapshot): R<DeepPartial<abci.ResponseOfferSnapshot>>;
  /** Default: empty chunk. */
  loadSnapshotChunk?(req: abci.RequestLoadSnapshotChunk): R<DeepPartial<abci.ResponseLoadSnapshotChunk>>;
  /** Default: ABORT. */
  applySnapshotChunk?(req: abci.RequestApplySnapshotChunk): R<DeepPartial<abci.ResponseApplySnapshotChunk>>;
}
