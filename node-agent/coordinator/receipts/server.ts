/**
 * @module A committee member's HTTP face: the FROST participant routes (`/frost/v1/…`) plus
 * `POST /receipts/v1/vote` (ReceiptProposal → ReceiptVote) and `POST /receipts/v1/request`
 * (ReceiptRequest → ReceiptResponse), protobuf bodies, errors as `{code, message}` JSON.
 */
import type { FastifyInstance } from "fastify";
import { BaseError, ErrorCode, isBaseError } from "../../../common/errors.js";
import { decodeMessage, encodeMessage } from "../../../common/protobuf.js";
import {
  ReceiptProposal,
  ReceiptRequest,
  ReceiptResponse,
  ReceiptVote,
} from "../../../proto/gen/dsdn/committee/v1/consensus.js";
import { createFrostServer } from "../frost/httpServer.js";
import type { CommitteeMember, ReceiptPeers } from "./member.js";

const STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.InvalidArgument]: 400,
  [ErrorCode.Decode]: 400,
  [ErrorCode.Unauthorized]: 403,
  [ErrorCode.InvalidSignature]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Unavailable]: 503,
  [ErrorCode.Timeout]: 504,
};

export function createMemberServer(
  member: CommitteeMember,
  onError?: (route: string, message: string) => void,
): FastifyInstance {
  const app = createFrostServer({
    participant: member.participant,
    onRefused: (rpc, code, m) => onError?.(rpc, `${code} ${m}`),
  });
  const route = <Req, Res>(
    path: string,
    codec: { decode: (b: Uint8Array) => Req },
    name: string,
    out: { encode: (m: Res) => { finish(): Uint8Array } },
    handle: (req: Req) => Promise<Res>,
  ) =>
    app.post(path, async (req, reply) => {
      if (!Buffer.isBuffer(req.body))
        return reply
          .code(415)
          .send({ code: ErrorCode.InvalidArgument, message: "send the protobuf body as application/octet-stream" });
      try {
        const msg = decodeMessage(codec as never, new Uint8Array(req.body), name) as Req;
        const res = await handle(msg);
        return reply.type("application/octet-stream").send(Buffer.from(out.encode(res).finish()));
      } catch (e) {
        const code = isBaseError(e) ? e.code : ErrorCode.Internal;
        const message = isBaseError(e) ? e.shortMessage : "internal error";
        onError?.(path, `${code} ${message}${isBaseError(e) || !(e instanceof Error) ? "" : `: ${e.message}`}`);
        return reply.code(STATUS[code] ?? 500).send({ code, message });
      }
    });
  route("/receipts/v1/vote", ReceiptProposal, "ReceiptProposal", ReceiptVote, (p) => member.handleVote(p));
  route("/receipts/v1/request", ReceiptRequest, "ReceiptRequest", ReceiptResponse, (r) => member.handleRequest(r));
  return app;
}

async function post(url: string, body: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw new BaseError(ErrorCode.Unavailable, `${url} is unreachable`, { cause: e });
  }
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (res.ok) return bytes;
  let err: { code?: string; message?: string } = {};
  try {
    err = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch {}
  const known = Object.values(ErrorCode) as string[];
  throw new BaseError(
    (err.code && known.includes(err.code) ? err.code : ErrorCode.Internal) as ErrorCode,
    err.message ?? `HTTP ${res.status} from ${url}`,
  );
}

export const httpReceiptPeers: ReceiptPeers = {
  async vote(endpoint, proposal, timeoutMs) {
    const bytes = await post(
      `${endpoint.replace(/\/+$/, "")}/receipts/v1/vote`,
      encodeMessage(ReceiptProposal, proposal),
      timeoutMs,
    );
    return decodeMessage(ReceiptVote, bytes, "ReceiptVote");
  },
};

/** The node's call: ask a committee member for a receipt (storage: a usage proof; compute: result + workload). */
export async function requestReceipt(
  endpoint: string,
  usageProof: Uint8Array,
  timeoutMs = 60_000,
  compute?: { result: Uint8Array; submission: Uint8Array },
): Promise<ReceiptResponse> {
  const bytes = await post(
    `${endpoint.replace(/\/+$/, "")}/receipts/v1/request`,
    encodeMessage(ReceiptRequest, {
      usageProof: Buffer.from(usageProof),
      ...(compute
        ? { computeResult: Buffer.from(compute.result), workloadSubmission: Buffer.from(compute.submission) }
        : {}),
    }),
    timeoutMs,
  );
  return decodeMessage(ReceiptResponse, bytes, "ReceiptResponse");
}
