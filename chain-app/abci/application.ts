/** @module The ABCI 2.0 application contract the socket server drives (one method per CometBFT request). */

import type * as abci from "cosmjs-types/tendermint/abci/types";

/** A handler may answer synchronously or with a promise. */
export type R<T> = T | Promise<T>;

/**
 * What a Chain Nusantara application implements. Every request is delivered one at a time, in
 * the order it arrived over all connections, so handlers never run concurrently. Business
 * failures are answers with `code != 0`; a throw from a consensus method halts CometBFT on
 * purpose (see dispatchRequest).
 */
export interface AbciApplication {
  info(req: abci.RequestInfo): R<Partial<abci.ResponseInfo>>;
  initChain(req: abci.RequestInitChain): R<Partial<abci.ResponseInitChain>>;
  query(req: abci.RequestQuery): R<Partial<abci.ResponseQuery>>;
  checkTx(req: abci.RequestCheckTx): R<Partial<abci.ResponseCheckTx>>;
  prepareProposal(req: abci.RequestPrepareProposal): R<Partial<abci.ResponsePrepareProposal>>;
  processProposal(req: abci.RequestProcessProposal): R<Partial<abci.ResponseProcessProposal>>;
  finalizeBlock(req: abci.RequestFinalizeBlock): R<Partial<abci.ResponseFinalizeBlock>>;
  commit(req: abci.RequestCommit): R<Partial<abci.ResponseCommit>>;
  /** Default: empty vote extension. */
  extendVote?(req: abci.RequestExtendVote): R<Partial<abci.ResponseExtendVote>>;
  /** Default: ACCEPT. */
  verifyVoteExtension?(req: abci.RequestVerifyVoteExtension): R<Partial<abci.ResponseVerifyVoteExtension>>;
  /** Default: no snapshots. */
  listSnapshots?(req: abci.RequestListSnapshots): R<Partial<abci.ResponseListSnapshots>>;
  /** Default: ABORT (this app cannot be state-synced). */
  offerSnapshot?(req: abci.RequestOfferSnapshot): R<Partial<abci.ResponseOfferSnapshot>>;
  /** Default: empty chunk. */
  loadSnapshotChunk?(req: abci.RequestLoadSnapshotChunk): R<Partial<abci.ResponseLoadSnapshotChunk>>;
  /** Default: ABORT. */
  applySnapshotChunk?(req: abci.RequestApplySnapshotChunk): R<Partial<abci.ResponseApplySnapshotChunk>>;
}
