/** @module The coordinator's compute routes (JSON schema on each): heartbeats, submissions, assignments, results, status. */
import type { FastifyInstance } from "fastify";
import type { ComputeService } from "./service.js";

const b64 = (max: number) => ({ type: "string", minLength: 4, maxLength: max, pattern: "^[A-Za-z0-9+/=]+$" }) as const;
const hex64 = { type: "string", pattern: "^[0-9a-f]{64}$" } as const;
const idParam = { type: "object", required: ["id"], properties: { id: hex64 } } as const;

export function computeRoutes(app: FastifyInstance, svc: ComputeService): void {
  app.get("/compute/info", async () => svc.info());

  app.post(
    "/compute/heartbeats",
    {
      schema: {
        body: {
          type: "object",
          required: ["heartbeat"],
          additionalProperties: false,
          properties: { heartbeat: b64(512) },
        },
      },
    },
    async (req) => svc.heartbeat(Buffer.from((req.body as { heartbeat: string }).heartbeat, "base64")),
  );

  app.post(
    "/workloads",
    {
      schema: {
        body: {
          type: "object",
          required: ["submission"],
          additionalProperties: false,
          properties: { submission: b64(8192) },
        },
      },
    },
    async (req) => svc.submit(Buffer.from((req.body as { submission: string }).submission, "base64")),
  );

  app.get("/workloads/:id", { schema: { params: idParam } }, async (req) =>
    svc.status((req.params as { id: string }).id),
  );

  app.get(
    "/workloads/assigned/:node",
    { schema: { params: { type: "object", required: ["node"], properties: { node: hex64 } } } },
    async (req) => ({ assigned: svc.assigned((req.params as { node: string }).node) }),
  );

  app.get(
    "/workloads/:id/evidence/:node",
    { schema: { params: { type: "object", required: ["id", "node"], properties: { id: hex64, node: hex64 } } } },
    async (req) => {
      const p = req.params as { id: string; node: string };
      return svc.evidence(p.id, p.node);
    },
  );

  app.post(
    "/workloads/:id/result",
    {
      schema: {
        params: idParam,
        body: {
          type: "object",
          required: ["result"],
          additionalProperties: false,
          properties: { result: b64(96 * 1024) },
        },
      },
    },
    async (req) =>
      svc.result((req.params as { id: string }).id, Buffer.from((req.body as { result: string }).result, "base64")),
  );
}
