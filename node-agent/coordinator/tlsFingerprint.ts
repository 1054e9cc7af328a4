/** @module The TLS certificate a node's https endpoint actually presents (sha256 of its DER), for gatekeeping. */
import { createHash } from "node:crypto";
import { connect } from "node:tls";
import { BaseError, ErrorCode } from "../../common/errors.js";

/**
 * Connects to an https endpoint and returns sha256(DER) of the leaf certificate it presents, plus whether
 * it is currently valid (not expired, not before its start). The chain pins the fingerprint, so a
 * self-signed certificate is fine: identity comes from the pin, not from a CA.
 */
export function presentedCertificate(
  endpoint: string,
  timeoutMs = 5000,
): Promise<{ fingerprint: Uint8Array; validNow: boolean }> {
  const u = new URL(endpoint);
  if (u.protocol !== "https:") return Promise.reject(new BaseError(ErrorCode.InvalidArgument, "not an https endpoint"));
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: u.hostname,
      port: Number(u.port || 443),
      servername: /^[\d.]+$|:/.test(u.hostname) ? undefined : u.hostname,
      rejectUnauthorized: false,
      timeout: timeoutMs,
    });
    const fail = (e: unknown) => {
      socket.destroy();
      reject(new BaseError(ErrorCode.Unavailable, `TLS handshake with ${u.host} failed`, { cause: e }));
    };
    socket.once("error", fail);
    socket.once("timeout", () => fail(new Error("timeout")));
    socket.once("secureConnect", () => {
      const cert = socket.getPeerCertificate();
      socket.end();
      if (!cert?.raw) return fail(new Error("no certificate presented"));
      const now = Date.now();
      const validNow = Date.parse(cert.valid_from) <= now && now <= Date.parse(cert.valid_to);
      resolve({ fingerprint: createHash("sha256").update(cert.raw).digest(), validNow });
    });
  });
}
