import { execFileSync } from "node:child_process";
import { createHash, X509Certificate } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toHex } from "../../common/hash.js";
import { pubKeyToAddress, secp256k1KeyPair } from "../../common/secp256k1.js";
import { NodeRegistered } from "../../proto/gen/dsdn/da/v1/events.js";
import { signedRegistration } from "../storage/follower/register.js";
import { loadOrCreateIdentity, type NodeIdentity } from "../storage/identity.js";
import type { ChainView } from "./chainView.js";
import { admitNode, RegistrationRefused } from "./registration.js";
import { presentedCertificate } from "./tlsFingerprint.js";

const openssl = ["/usr/bin/openssl", "/usr/local/bin/openssl"].find((p) => existsSync(p));
let tmp: string;
let server: Server;
let endpoint: string;
let fingerprint: Uint8Array;
let id: NodeIdentity;
const operator = pubKeyToAddress(secp256k1KeyPair().publicKey);

/** A chain that admits the node and records `endpoint` for it. */
const chain = (): ChainView => ({
  admission: async () => ({ admitted: true, refusals: [] }),
  height: async () => 1n,
  node: async () => ({
    operator,
    zone: "zone-a",
    nodeClass: "regular",
    endpoint,
    capacityBytes: 1n << 30n,
    tlsCertFingerprint: fingerprint,
    status: "active",
    statusReason: "",
  }),
  stakeWeight: async () => 0n,
  close: () => {},
});

const reg = (fp: Uint8Array) =>
  NodeRegistered.decode(
    signedRegistration({
      identity: id,
      operator,
      zone: "zone-a",
      class: "regular",
      capacityBytes: 1n << 30n,
      endpoint,
      tlsFingerprint: fp,
      daHeight: 1n,
    }),
  );

describe.skipIf(!openssl)("https endpoints: the pinned certificate", () => {
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), "dsdn-tls-"));
    execFileSync(
      openssl!,
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=dsdn-node",
        "-keyout",
        join(tmp, "key.pem"),
        "-out",
        join(tmp, "cert.pem"),
      ],
      { stdio: "pipe" },
    );
    const cert = readFileSync(join(tmp, "cert.pem"));
    fingerprint = createHash("sha256").update(new X509Certificate(cert).raw).digest();
    id = await loadOrCreateIdentity(join(tmp, "node"));
    server = createServer({ key: readFileSync(join(tmp, "key.pem")), cert }, (_req, res) =>
      res.end(JSON.stringify({ status: "ok", nodeId: id.nodeId })),
    );
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    endpoint = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => {
    server?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("reads the fingerprint the endpoint presents", async () => {
    const c = await presentedCertificate(endpoint);
    expect(toHex(c.fingerprint)).toBe(toHex(fingerprint));
    expect(c.validNow).toBe(true);
  });

  it("admits a self-signed node whose certificate matches the pin, and refuses any other pin", async () => {
    await admitNode(reg(fingerprint), chain(), { allowPrivateEndpoints: true });
    const other = new Uint8Array(32).fill(1);
    const e = await admitNode(reg(other), chain(), { allowPrivateEndpoints: true }).catch((x) => x);
    expect(e).toBeInstanceOf(RegistrationRefused);
    expect((e as RegistrationRefused).refusals).toEqual(["tls_invalid"]);
  });
});

describe("the chain decides first; node endpoints are never an SSRF vector", () => {
  let http: import("node:http").Server;
  let url: string;
  let connections = 0;
  let node: NodeIdentity;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "dsdn-ssrf-"));
    node = await loadOrCreateIdentity(join(dir, "node"));
    http = (await import("node:http")).createServer((_q, s) => s.end(JSON.stringify({ nodeId: node.nodeId })));
    http.on("connection", () => connections++);
    await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
  });
  afterAll(() => {
    http?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const registration = (over: { endpoint?: string; zone?: string; capacityBytes?: bigint } = {}) =>
    NodeRegistered.decode(
      signedRegistration({
        identity: node,
        operator,
        zone: over.zone ?? "zone-a",
        class: "regular",
        capacityBytes: over.capacityBytes ?? 1n << 30n,
        endpoint: over.endpoint ?? url,
        tlsFingerprint: new Uint8Array(32),
        daHeight: 1n,
      }),
    );
  const onChain = (endpointOnChain: string, admitted = true): ChainView => ({
    admission: async () => ({ admitted, refusals: admitted ? [] : ["not_registered"] }),
    height: async () => 1n,
    node: async () =>
      admitted
        ? {
            operator,
            zone: "zone-a",
            nodeClass: "regular",
            endpoint: endpointOnChain,
            capacityBytes: 1n << 30n,
            tlsCertFingerprint: new Uint8Array(32),
            status: "active",
            statusReason: "",
          }
        : undefined,
    stakeWeight: async () => 0n,
    close: () => {},
  });
  const refusals = (p: Promise<void>) =>
    p.then(
      () => [],
      (e: RegistrationRefused) => [...e.refusals],
    );

  it("never calls the endpoint of a node the chain refuses", async () => {
    connections = 0;
    expect(await refusals(admitNode(registration(), onChain(url, false), { allowPrivateEndpoints: true }))).toEqual([
      "not_registered",
    ]);
    expect(connections).toBe(0);
  });

  it("refuses loopback, private and metadata endpoints outside the localnet, without calling them", async () => {
    connections = 0;
    for (const endpoint of [url, "http://169.254.169.254", "http://10.0.0.5:7400"])
      expect(await refusals(admitNode(registration({ endpoint }), onChain(endpoint)))).toEqual(["endpoint_not_public"]);
    expect(connections).toBe(0);
    expect(await refusals(admitNode(registration(), onChain(url), { allowPrivateEndpoints: true }))).toEqual([]);
    expect(connections).toBeGreaterThan(0);
  });

  it("refuses a registration whose zone, capacity or endpoint differ from MsgRegisterNode", async () => {
    const chain = onChain(url);
    for (const over of [{ zone: "zone-z" }, { capacityBytes: 1n << 62n }, { endpoint: "http://169.254.169.254" }])
      expect(await refusals(admitNode(registration(over), chain, { allowPrivateEndpoints: true }))).toContain(
        "registration_mismatch",
      );
  });
});
