import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sha256, toHex } from "../../../common/hash.js";
import { loadOrCreateIdentity } from "../../../node-agent/storage/identity.js";
import { certFingerprint, readNodeKeyFile } from "./nodes.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "nodes-cli-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("dsdnd nodes helpers", () => {
  it("reads the storage node's own identity file and refuses unsafe or inconsistent ones", async () => {
    const id = await loadOrCreateIdentity(dir);
    const file = join(dir, "node-key.json");
    expect(toHex(readNodeKeyFile(file).publicKey)).toBe(id.nodeId);
    chmodSync(file, 0o644);
    expect(() => readNodeKeyFile(file)).toThrow(/readable by other users/);
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ type: "ed25519", seed: "11".repeat(32), publicKey: "22".repeat(32) }), {
      mode: 0o600,
    });
    expect(() => readNodeKeyFile(bad)).toThrow(/does not match the seed/);
    writeFileSync(bad, JSON.stringify({ type: "secp256k1", seed: "11".repeat(32) }), { mode: 0o600 });
    expect(() => readNodeKeyFile(bad)).toThrow(/must hold/);
  });

  it("fingerprints a PEM certificate as sha256 of its DER bytes (checked against openssl)", () => {
    const key = join(dir, "k.pem");
    const cert = join(dir, "c.pem");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        key,
        "-out",
        cert,
        "-days",
        "1",
        "-subj",
        "/CN=node.example",
      ],
      { stdio: "pipe" },
    );
    const der = execFileSync("openssl", ["x509", "-in", cert, "-outform", "DER"]);
    expect(toHex(certFingerprint(cert))).toBe(toHex(sha256(new Uint8Array(der))));
    writeFileSync(join(dir, "junk.pem"), readFileSync(cert, "utf8").replace(/[A-Za-z]{8}/, "AAAAAAAA"));
    expect(() => certFingerprint(join(dir, "junk.pem"))).toThrow();
  });
});
