/**
 * @module `/outputs/:cid` on a storage node: the outputs of workloads it ran, content-addressed (the client re-checks
 * the CID). A public job's output is `GET`-able by anyone; a private job's (`visibility: private` in its signed spec)
 * only by `POST` with its submitter's ADR-036-signed request (fresh, used once), like the job's logs.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import { isValidCid } from "../../common/cid.js";
import { BaseError, ErrorCode, InvalidArgumentError } from "../../common/errors.js";
import { ReplayGuard } from "../coordinator/signedRequest.js";
import { postSmallJson } from "../http/smallJsonPost.js";
import type { LocalFsStorage } from "../storage/localfs.js";
import { type OutputRequest, verifyOutputRequest } from "./logRequest.js";
import type { PrivateOutputs } from "./privateOutputs.js";

const MAX_BODY = 4096;

function checkCid(cid: string): void {
  if (cid.length > 128 || !isValidCid(cid)) throw new InvalidArgumentError("not a CID");
}

export function registerOutputsRoute(app: FastifyInstance, outputs: LocalFsStorage, privacy: PrivateOutputs): void {
  const send = async (cid: string, reply: FastifyReply) => {
    const read = await outputs.getChunk(cid);
    if (!read) throw new BaseError(ErrorCode.NotFound, `no output ${cid} here`);
    reply.headers({ "content-type": "application/octet-stream", etag: `"${cid}"` });
    return reply.send(read.stream);
  };
  app.get("/outputs/:cid", async (req, reply) => {
    const { cid } = req.params as { cid: string };
    checkCid(cid);
    if (privacy.ownersOf(cid))
      throw new BaseError(
        ErrorCode.Unauthorized,
        "this output is private to the account that submitted its job: ask with POST and a signed request",
      );
    return send(cid, reply);
  });
  const replays = new ReplayGuard();
  postSmallJson(app, "/outputs/:cid", MAX_BODY, async (req, reply) => {
    const { cid } = req.params as { cid: string };
    checkCid(cid);
    const body = (req.body ?? {}) as Partial<OutputRequest>;
    if (body.cid !== cid || !Number.isSafeInteger(body.signedAtMs))
      throw new InvalidArgumentError("an output request names the CID of its URL and its signing time");
    if (!verifyOutputRequest(body as OutputRequest))
      throw new BaseError(ErrorCode.Unauthorized, "the output request is not signed (ADR-036) by the account it names");
    const replay = replays.use(body.signature!, body.signedAtMs!);
    if (replay) throw new BaseError(ErrorCode.Unauthorized, replay);
    const owners = privacy.ownersOf(cid);
    if (owners && !owners.includes(body.owner!))
      throw new BaseError(
        ErrorCode.Unauthorized,
        "a private output is served to the account that submitted its job only",
      );
    return send(cid, reply);
  });
}
