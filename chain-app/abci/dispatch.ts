/** @module Maps one decoded ABCI Request to the application method and encodes its Response, including error mapping. */

import {
  type Request,
  Response,
  ResponseApplySnapshotChunk_Result,
  ResponseOfferSnapshot_Result,
  ResponseVerifyVoteExtension_VerifyStatus,
} from "cosmjs-types/tendermint/abci/types";
import type { AbciApplication } from "./application.js";
import type { AbciLogger } from "./logger.js";

/** The methods an application answers; Echo and Flush are answered by the server itself. */
export type AppRequestKind =
  | "info"
  | "initChain"
  | "query"
  | "checkTx"
  | "commit"
  | "listSnapshots"
  | "offerSnapshot"
  | "loadSnapshotChunk"
  | "applySnapshotChunk"
  | "prepareProposal"
  | "processProposal"
  | "extendVote"
  | "verifyVoteExtension"
  | "finalizeBlock";

export type RequestKind = "echo" | "flush" | AppRequestKind;

/**
 * What to answer when a handler throws. Consensus methods answer ResponseException: CometBFT
 * then halts, which is right when the app is broken (a guessed answer could fork the chain).
 * Query and CheckTx only affect one client, so they become an ordinary failed answer.
 * Snapshot methods only matter for state sync, so they fail closed without killing the node.
 */
type OnThrow = "exception" | ((message: string) => Record<string, unknown>);

const failedWithCode = (message: string) => ({ code: 1, codespace: "sdk", log: message });

const ROUTES: Readonly<Record<AppRequestKind, { readonly onThrow: OnThrow; readonly fallback?: object }>> = {
  info: { onThrow: "exception" },
  initChain: { onThrow: "exception" },
  query: { onThrow: failedWithCode },
  checkTx: { onThrow: failedWithCode },
  commit: { onThrow: "exception" },
  prepareProposal: { onThrow: "exception" },
  processProposal: { onThrow: "exception" },
  finalizeBlock: { onThrow: "exception" },
  extendVote: { onThrow: "exception", fallback: {} },
  verifyVoteExtension: {
    onThrow: "exception",
    fallback: { status: ResponseVerifyVoteExtension_VerifyStatus.ACCEPT },
  },
  listSnapshots: { onThrow: () => ({}), fallback: {} },
  offerSnapshot: {
    onThrow: () => ({ result: ResponseOfferSnapshot_Result.ABORT }),
    fallback: { result: ResponseOfferSnapshot_Result.ABORT },
  },
  loadSnapshotChunk: { onThrow: () => ({}), fallback: {} },
  applySnapshotChunk: {
    onThrow: () => ({ result: ResponseApplySnapshotChunk_Result.ABORT }),
    fallback: { result: ResponseApplySnapshotChunk_Result.ABORT },
  },
};

const KINDS: readonly RequestKind[] = ["echo", "flush", ...(Object.keys(ROUTES) as AppRequestKind[])];

/** Which oneof case a decoded Request carries; undefined for an empty or unknown (e.g. v0.37 DeliverTx) request. */
export function requestKind(req: Request): RequestKind | undefined {
  for (const kind of KINDS) {
    if (req[kind] !== undefined) return kind;
  }
  return undefined;
}

export function isAppRequest(kind: RequestKind): kind is AppRequestKind {
  return kind !== "echo" && kind !== "flush";
}

/** Encodes the server's own answer to Echo or Flush. */
export function encodeLocalResponse(req: Request, kind: "echo" | "flush"): Uint8Array {
  const response = kind === "echo" ? { echo: { message: req.echo?.message ?? "" } } : { flush: {} };
  return Response.encode(Response.fromPartial(response)).finish();
}

/** The oneof case is chosen at run time, so the typed fromPartial input is built untyped here. */
function encodeResponse(fields: Record<string, unknown>): Uint8Array {
  return Response.encode(Response.fromPartial(fields as Parameters<typeof Response.fromPartial>[0])).finish();
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * Runs the application method for `req` and returns the encoded Response with the matching
 * oneof case (or `exception`). Never throws: every failure, including an answer that cannot be
 * encoded, is mapped here so the caller can always write something in order.
 */
export async function dispatchRequest(
  app: AbciApplication,
  req: Request,
  kind: AppRequestKind,
  logger: AbciLogger,
): Promise<Uint8Array> {
  const route = ROUTES[kind];
  const handler = (app as unknown as Record<string, ((arg: unknown) => unknown) | undefined>)[kind];
  try {
    let answer: unknown;
    if (typeof handler === "function") {
      answer = await handler.call(app, req[kind]);
    } else if (route.fallback !== undefined) {
      answer = route.fallback;
    } else {
      throw new Error(`application does not implement required method ${kind}`);
    }
    // A handler that returns nothing still owes CometBFT a response of the right case.
    return encodeResponse({ [kind]: answer ?? {} });
  } catch (error) {
    const message = errorMessage(error);
    if (route.onThrow === "exception") {
      logger.error("application failed in a consensus method; answering ResponseException, CometBFT will halt", {
        method: kind,
        error: message,
      });
      return Response.encode(Response.fromPartial({ exception: { error: `${kind}: ${message}` } })).finish();
    }
    logger.error("application handler threw; answering a failed response instead", { method: kind, error: message });
    return encodeResponse({ [kind]: route.onThrow(message) });
  }
}
