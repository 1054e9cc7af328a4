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
  node: async () => ({
    operator,
    zone: "zone-a",
    endpoint,
    capacityBytes: 1n,
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
    await admitNode(reg(fingerprint), chain());
    const other = new Uint8Array(32).fill(1);
    const e = await admitNode(reg(other), chain()).catch((x) => x);
    expect(e).toBeInstanceOf(RegistrationRefused);
    expect((e as RegistrationRefused).refusals).toEqual(["tls_invalid"]);
  });
});
