/** @module Node admission: the node's own signature, chain gatekeeping (stake, cooldown, operator, TLS pin), and its live endpoint. */
import { createHash } from "node:crypto";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { BaseError, ErrorCode } from "../../common/errors.js";
import { bytesEqual, toHex } from "../../common/hash.js";
import { endpointProblem } from "../../common/publicEndpoint.js";
import { NodeClass, type NodeRegistered } from "../../proto/gen/dsdn/da/v1/events.js";
import { verifyNodeRegistration } from "../da/events/bindings.js";
import type { AdmissionRefusal, ChainView } from "./chainView.js";
import { presentedCertificate } from "./tlsFingerprint.js";

/** Every reason a node can be refused, with the words an operator reads. */
export type RegistrationRefusal =
  | AdmissionRefusal
  | "bad_signature"
  | "registration_mismatch"
  | "endpoint_not_public"
  | "tls_invalid"
  | "endpoint_unreachable"
  | "endpoint_identity_mismatch";

export const REFUSAL_TEXT: Record<RegistrationRefusal, string> = {
  not_registered: "the node is not registered on Chain Nusantara (dsdnd tx nodes register)",
  operator_mismatch: "the node id is bound on chain to a different operator",
  tls_fingerprint_mismatch: "the TLS certificate fingerprint differs from the one registered on chain",
  no_stake: "the operator has no node stake bonded (dsdnd tx stake bond-node)",
  insufficient_stake: "the operator's node stake is below the class minimum (500 NUSA regular, 5000 data-center)",
  cooldown: "the operator is in a slashing cooldown",
  banned: "the operator is banned",
  not_active: "the chain does not list the node as Active",
  bad_signature: "the registration is not signed by the node key it names",
  registration_mismatch:
    "zone, class, capacity or endpoint differ from the node's chain registration (MsgRegisterNode)",
  endpoint_not_public:
    "the endpoint is not a public http(s) address (loopback, private, link-local and metadata addresses are refused outside the localnet)",
  tls_invalid: "the endpoint's TLS certificate is expired or does not match the pinned fingerprint",
  endpoint_unreachable: "the node's endpoint does not answer",
  endpoint_identity_mismatch: "the endpoint answers as a different node",
};

export class RegistrationRefused extends BaseError {
  override readonly name = "RegistrationRefused";
  readonly refusals: readonly RegistrationRefusal[];
  constructor(nodeId: string, refusals: readonly RegistrationRefusal[]) {
    super(ErrorCode.Unauthorized, `node ${nodeId.slice(0, 16)}… refused: ${refusals.join(", ")}`, {
      details: refusals.map((r) => `${r}: ${REFUSAL_TEXT[r]}`).join("\n"),
      meta: { refusals: [...refusals] },
    });
    this.refusals = refusals;
  }
}

/**
 * GET /health on the endpoint. Over https the certificate is trusted by its pinned fingerprint (the chain's),
 * not by a CA, so self-signed node certificates work and a different certificate fails the handshake check.
 */
function getHealth(endpoint: string, pin: Uint8Array): Promise<{ status: number; body: string }> {
  const u = new URL("/health", endpoint);
  return new Promise((resolve, reject) => {
    const onRes = (res: import("node:http").IncomingMessage) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        body += d;
        if (body.length > 65536) req.destroy(new Error("health answer too large"));
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    };
    const req =
      u.protocol === "https:"
        ? httpsRequest(
            u,
            {
              rejectUnauthorized: false,
              checkServerIdentity: (_host, cert) =>
                bytesEqual(createHash("sha256").update(cert.raw).digest(), pin)
                  ? undefined
                  : new Error("certificate does not match the pinned fingerprint"),
              timeout: 5000,
            },
            onRes,
          )
        : httpRequest(u, { timeout: 5000 }, onRes);
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}

async function probeIdentity(
  endpoint: string,
  nodeId: string,
  pin: Uint8Array,
): Promise<RegistrationRefusal | undefined> {
  try {
    const res = await getHealth(endpoint, pin);
    if (res.status !== 200) return "endpoint_unreachable";
    const body = JSON.parse(res.body) as { nodeId?: string };
    return body.nodeId === nodeId ? undefined : "endpoint_identity_mismatch";
  } catch {
    return "endpoint_unreachable";
  }
}

/**
 * Runs every check and throws RegistrationRefused naming all failed ones (so an operator fixes them in one
 * go). Passing means: the node key signed this registration, the chain binds that key to this operator with
 * enough stake and no cooldown or ban, zone and endpoint match the chain, and the endpoint is that node.
 */
export interface AdmitOptions {
  /** Call the endpoint (TLS certificate and /health) once the chain has accepted the node. Default true. */
  readonly probe?: boolean;
  /** Localnet only: endpoints on loopback and private addresses are allowed. Default false. */
  readonly allowPrivateEndpoints?: boolean;
  /** Resolver for the SSRF check (tests). */
  readonly resolve?: (host: string) => Promise<string[]>;
}

const DA_CLASS: Record<number, string> = {
  [NodeClass.NODE_CLASS_REGULAR]: "regular",
  [NodeClass.NODE_CLASS_DATACENTER]: "datacenter",
};

export async function admitNode(reg: NodeRegistered, chain: ChainView, options: AdmitOptions = {}): Promise<void> {
  const nodeId = toHex(reg.nodeId);
  if (reg.nodeId.length !== 32 || !verifyNodeRegistration(reg))
    throw new RegistrationRefused(nodeId, ["bad_signature"]);
  const { refusals } = await chain.admission({
    nodeId: reg.nodeId,
    operator: reg.operator,
    tlsCertFingerprint: reg.tlsFingerprint,
  });
  const out: RegistrationRefusal[] = [...refusals];
  if (!out.includes("not_registered")) {
    // Everything placement uses comes from MsgRegisterNode; the node's own copy must say the same.
    const onChain = await chain.node(reg.nodeId);
    if (
      onChain &&
      (onChain.zone !== reg.zone ||
        onChain.endpoint !== reg.endpoint ||
        onChain.capacityBytes !== reg.capacityBytes ||
        onChain.nodeClass !== DA_CLASS[reg.class])
    )
      out.push("registration_mismatch");
  }
  const ssrf = await endpointProblem(reg.endpoint, {
    ...(options.allowPrivateEndpoints ? { allowPrivate: true } : {}),
    ...(options.resolve ? { resolve: options.resolve } : {}),
  });
  if (ssrf !== undefined) out.push("endpoint_not_public");
  // The endpoint is only ever called for a node the chain accepted, at an address that is public.
  if (out.length === 0 && reg.endpoint.startsWith("https:")) {
    try {
      const cert = await presentedCertificate(reg.endpoint);
      if (!cert.validNow || !bytesEqual(cert.fingerprint, reg.tlsFingerprint)) out.push("tls_invalid");
    } catch {
      out.push("tls_invalid");
    }
  }
  if (out.length === 0 && options.probe !== false) {
    const bad = await probeIdentity(reg.endpoint, nodeId, reg.tlsFingerprint);
    if (bad) out.push(bad);
  }
  if (out.length > 0) throw new RegistrationRefused(nodeId, out);
}
