/** @module The coordinator's HTTP API (fastify, a JSON schema on every route); every answer comes from replayed DA state. */
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import { ErrorCode, isBaseError } from "../../common/errors.js";
import { BlockedError, type ComplianceGate } from "../compliance/blockList.js";
import { computeRoutes } from "../compute/routes.js";
import type { ComputeService } from "../compute/service.js";
import { registerDisclosure } from "../http/disclosure.js";
import {
  applyServiceLimits,
  DEFAULT_LIMITS,
  DEFAULT_TIMEOUTS,
  type ServiceLimits,
  type ServiceTimeouts,
  serverTimeouts,
} from "../http/serviceLimits.js";
import { SHARD_INFO_SCHEMA } from "../storage/erasure/shardInfo.js";
import type { Coordinator, DeclaredChunkInput } from "./coordinator.js";
import { coordinatorDisclosure } from "./disclosure.js";
import { RegistrationRefused } from "./registration.js";
import type { ChallengeRequest } from "./signedRequest.js";
import type { TicketRequest } from "./ticketRequest.js";

const STATUS: Partial<Record<string, number>> = {
  [ErrorCode.InvalidArgument]: 400,
  [ErrorCode.Decode]: 400,
  [ErrorCode.InvalidSignature]: 401,
  [ErrorCode.Unauthorized]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.TooLarge]: 413,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.Blocked]: 451,
  [ErrorCode.Unavailable]: 503,
  [ErrorCode.Timeout]: 504,
};

const cidParam = {
  type: "object",
  required: ["cid"],
  properties: { cid: { type: "string", minLength: 1, maxLength: 128 } },
} as const;
const b64 = { type: "string", minLength: 4, maxLength: 8192, pattern: "^[A-Za-z0-9+/=]+$" } as const;

/** JSON with bigints as decimal strings. */
function plain<T>(v: T): unknown {
  return JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x)));
}

/**
 * A coordinator handler may legitimately keep a connection silent for a while (a challenge reads a chunk for up
 * to 30 s; a declaration waits for its DA publish), so its idle deadline sits well above those, not at 30 s.
 */
export const COORDINATOR_TIMEOUTS: ServiceTimeouts = { ...DEFAULT_TIMEOUTS, idleTimeoutMs: 90_000 };

export function coordinatorRoutes(
  c: Coordinator,
  service: {
    timeouts?: ServiceTimeouts;
    limits?: ServiceLimits;
    compute?: ComputeService;
    /** Governance's blocked CIDs: no upload ticket is issued for one (a forbidden hash is refused at deploy). */
    compliance?: { gate: ComplianceGate; refused?(what: string, e: BlockedError): void };
  } = {},
): FastifyInstance {
  const root = Fastify({
    logger: false,
    bodyLimit: 8 << 20,
    ...serverTimeouts(service.timeouts ?? COORDINATOR_TIMEOUTS),
  });
  // Every route is rate-limited per client (a root onRequest hook) and shed under load.
  applyServiceLimits(root, service.limits ?? DEFAULT_LIMITS);
  registerDisclosure(root, coordinatorDisclosure(c));
  root.register(async (app) => routes(app, c, service.compliance));
  const compute = service.compute;
  if (compute) root.register(async (app) => computeRoutes(app, compute));
  root.setErrorHandler((err, _req, reply: FastifyReply) => {
    if (err instanceof RegistrationRefused)
      return reply.code(403).send({
        error: { code: err.code, message: err.shortMessage, details: err.details, refusals: err.refusals },
      });
    if (isBaseError(err))
      return reply.code(STATUS[err.code] ?? 500).send({
        error: { code: err.code, message: err.shortMessage, ...(err.details ? { details: err.details } : {}) },
      });
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    return reply.code(status).send({
      error: {
        code: status < 500 ? ErrorCode.InvalidArgument : ErrorCode.Internal,
        message: status < 500 ? (err as Error).message : "internal error",
      },
    });
  });
  return root;
}

function routes(
  app: FastifyInstance,
  c: Coordinator,
  compliance?: { gate: ComplianceGate; refused?(what: string, e: BlockedError): void },
): void {
  app.get("/health", async () => ({
    status: "ok",
    coordinator: c.publisherKeyHex(),
    daHeight: c.follower.height.toString(),
    stateDigest: c.follower.digestHex(),
    counts: c.state.counts(),
    outboxQueued: c.publisher.queued,
    heals: c.heals,
    faultsReported: c.faultsReported,
  }));

  app.post(
    "/nodes/register",
    { schema: { body: { type: "object", required: ["registration"], properties: { registration: b64 } } } },
    async (req) => {
      const { registration } = req.body as { registration: string };
      return plain(await c.register(Buffer.from(registration, "base64")));
    },
  );

  app.get("/nodes", async () => ({ daHeight: c.follower.height.toString(), nodes: plain(c.nodes()) }));

  app.get(
    "/placement/:cid",
    {
      schema: {
        params: cidParam,
        querystring: {
          type: "object",
          properties: {
            uploader: { type: "string", maxLength: 128 },
            rf: { type: "integer", minimum: 1, maximum: 64 },
          },
        },
      },
    },
    async (req) => {
      const { cid } = req.params as { cid: string };
      const q = req.query as { uploader?: string; rf?: number };
      const declared = c.state.getChunk(cid);
      // Like `dsdn-node placement`: a declared chunk is placed for its recorded uploader unless told otherwise.
      const p = await c.placement(cid, q.uploader ?? declared?.uploader, q.rf);
      return plain({ ...p, daHeight: c.follower.height.toString(), declared: declared ? declared.placement : null });
    },
  );

  app.post(
    "/placement",
    {
      schema: {
        body: {
          type: "object",
          required: ["cids"],
          properties: {
            cids: { type: "array", maxItems: 4096, items: { type: "string", maxLength: 128 } },
            uploader: { type: "string", maxLength: 128 },
          },
        },
      },
    },
    async (req) => {
      const b = req.body as { cids: string[]; uploader?: string };
      return plain({ placements: await Promise.all(b.cids.map((cid) => c.placement(cid, b.uploader))) });
    },
  );

  // Tickets: a storage node stores a chunk only under one (see node-agent/storage/ticket.ts).
  app.post(
    "/tickets",
    {
      schema: {
        body: {
          type: "object",
          required: ["cid", "size", "uploader", "publicKey", "signedAtMs", "signature"],
          additionalProperties: false,
          properties: {
            cid: { type: "string", maxLength: 128 },
            size: { type: "integer", minimum: 1 },
            uploader: { type: "string", maxLength: 128 },
            publicKey: { type: "string", minLength: 44, maxLength: 44, pattern: "^[A-Za-z0-9+/=]+$" },
            signedAtMs: { type: "integer", minimum: 0 },
            signature: { type: "string", minLength: 88, maxLength: 88, pattern: "^[A-Za-z0-9+/=]+$" },
            shard: SHARD_INFO_SCHEMA,
          },
        },
      },
    },
    async (req) => {
      const b = req.body as TicketRequest;
      const block = compliance?.gate.blockOf(b.cid);
      if (block) {
        const e = new BlockedError(block);
        compliance?.refused?.(`upload ticket for ${b.cid} (uploader ${b.uploader})`, e);
        throw e;
      }
      const { placement, tickets } = await c.placementTickets(b);
      return { cid: b.cid, size: b.size, replicationFactor: placement.replicationFactor, tickets };
    },
  );

  app.post(
    "/tickets/heal",
    {
      schema: {
        body: {
          type: "object",
          required: ["cid", "nodeId"],
          properties: {
            cid: { type: "string", maxLength: 128 },
            nodeId: { type: "string", pattern: "^[0-9a-f]{64}$" },
          },
        },
      },
    },
    async (req) => {
      const b = req.body as { cid: string; nodeId: string };
      return c.healTicket(b.cid, b.nodeId);
    },
  );

  app.post(
    "/chunks",
    {
      schema: {
        body: {
          type: "object",
          required: ["declaration", "chunks"],
          additionalProperties: false,
          properties: {
            declaration: b64,
            chunks: {
              type: "array",
              minItems: 1,
              maxItems: 4096,
              items: {
                type: "object",
                required: ["cid", "size", "index", "proof", "acks"],
                additionalProperties: false,
                properties: {
                  cid: { type: "string", maxLength: 128 },
                  size: { type: "integer", minimum: 1 },
                  index: { type: "integer", minimum: 0 },
                  proof: { type: "array", maxItems: 64, items: { type: "string", minLength: 44, maxLength: 44 } },
                  acks: { type: "array", maxItems: 64, items: b64 },
                  shard: SHARD_INFO_SCHEMA,
                },
              },
            },
          },
        },
      },
    },
    async (req) => {
      const b = req.body as { declaration: string; chunks: DeclaredChunkInput[] };
      return plain(await c.declare(b.declaration, b.chunks));
    },
  );

  app.post(
    "/delete",
    {
      schema: {
        body: { type: "object", required: ["request"], additionalProperties: false, properties: { request: b64 } },
      },
    },
    async (req) => plain(await c.requestDelete((req.body as { request: string }).request)),
  );

  app.post(
    "/replicas",
    { schema: { body: { type: "object", required: ["ack"], properties: { ack: b64 } } } },
    async (req) => c.reportReplica((req.body as { ack: string }).ack),
  );

  app.get("/status/:cid", { schema: { params: cidParam } }, async (req, reply) => {
    const { cid } = req.params as { cid: string };
    const s = c.objectStatus(cid);
    if (!s)
      return reply.code(404).send({ error: { code: ErrorCode.NotFound, message: `${cid} is not declared on DA` } });
    return plain(s);
  });

  app.post(
    "/challenge",
    {
      schema: {
        body: {
          type: "object",
          required: ["cid", "node", "signer", "signedAtMs", "signature"],
          additionalProperties: false,
          properties: {
            cid: { type: "string", maxLength: 128 },
            node: { type: "string", pattern: "^[0-9a-f]{64}$" },
            signer: { type: "string", pattern: "^[0-9a-f]{64}$" },
            signedAtMs: { type: "integer", minimum: 0 },
            signature: { type: "string", pattern: "^[0-9a-f]{128}$" },
          },
        },
      },
    },
    async (req) => c.challengeRequest(req.body as ChallengeRequest),
  );
}
