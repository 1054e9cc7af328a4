/** @module `GET /outputs/:cid` on a storage node: the outputs of workloads it ran, content-addressed (the client re-checks the CID). */
import type { FastifyInstance } from "fastify";
import { isValidCid } from "../../common/cid.js";
import type { LocalFsStorage } from "../storage/localfs.js";

export function registerOutputsRoute(app: FastifyInstance, outputs: LocalFsStorage): void {
  app.get("/outputs/:cid", async (req, reply) => {
    const { cid } = req.params as { cid: string };
    if (cid.length > 128 || !isValidCid(cid))
      return reply.code(400).send({ error: { code: "DSDN_INVALID_ARGUMENT", message: "not a CID" } });
    const read = await outputs.getChunk(cid);
    if (!read) return reply.code(404).send({ error: { code: "DSDN_NOT_FOUND", message: `no output ${cid} here` } });
    reply.headers({ "content-type": "application/octet-stream", etag: `"${cid}"` });
    return reply.send(read.stream);
  });
}
