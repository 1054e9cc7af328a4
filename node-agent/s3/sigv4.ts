/** @module AWS Signature V4 header authentication for the S3 gateway: the AWS SDK's own signer computes the expected signature. */
import { timingSafeEqual } from "node:crypto";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { S3Error } from "./errors.js";

/** A request is accepted within this many ms of its x-amz-date (S3's own window is 15 minutes). */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

export interface SignedRequestInput {
  readonly method: string;
  /** The path exactly as sent (still percent-encoded), without the query. */
  readonly rawPath: string;
  /** The raw query string (after "?"), or "". */
  readonly rawQuery: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface Authenticated {
  readonly accessKeyId: string;
  /** The x-amz-content-sha256 the signature covers: a hex digest the body must match, or UNSIGNED-PAYLOAD. */
  readonly payloadHash: string;
}

const AUTH_RE =
  /^AWS4-HMAC-SHA256 Credential=([A-Z0-9]{16,128})\/(\d{8})\/([a-z0-9-]{1,32})\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]{1,2048}), ?Signature=([0-9a-f]{64})$/;

function header(h: SignedRequestInput["headers"], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v.join(",") : v;
}

/** Parses 20240102T030405Z. */
function parseAmzDate(s: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/**
 * Verifies the Authorization header of `req` against `secretOf(accessKeyId)`. Throws an S3Error
 * (AccessDenied, InvalidAccessKeyId, SignatureDoesNotMatch, RequestTimeTooSkewed, …) on any failure.
 */
export async function verifySigV4(
  req: SignedRequestInput,
  region: string,
  secretOf: (accessKeyId: string) => string | undefined,
  now = Date.now(),
): Promise<Authenticated> {
  const auth = header(req.headers, "authorization");
  if (!auth) {
    if (/(^|&)X-Amz-Signature=/i.test(req.rawQuery))
      throw new S3Error("NotImplemented", "presigned URLs are not supported by this gateway; sign the headers");
    throw new S3Error("AccessDenied", "anonymous requests are not allowed: sign with AWS Signature V4");
  }
  const m = AUTH_RE.exec(auth.slice(0, 4096));
  if (!m) throw new S3Error("AuthorizationHeaderMalformed", "the Authorization header is not AWS4-HMAC-SHA256");
  const [, accessKeyId, day, credRegion, signedList, signature] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (credRegion !== region)
    throw new S3Error("AuthorizationHeaderMalformed", `the region "${credRegion}" is wrong; expecting "${region}"`);
  const amzDate = header(req.headers, "x-amz-date") ?? "";
  const date = parseAmzDate(amzDate);
  if (!date || amzDate.slice(0, 8) !== day)
    throw new S3Error("AccessDenied", "x-amz-date is missing, malformed or not the credential's day");
  if (Math.abs(now - date.getTime()) > MAX_CLOCK_SKEW_MS)
    throw new S3Error(
      "RequestTimeTooSkewed",
      "the difference between the request time and the server's time is too large",
    );
  const payloadHash = header(req.headers, "x-amz-content-sha256");
  if (!payloadHash) throw new S3Error("InvalidRequest", "x-amz-content-sha256 is required");
  if (payloadHash !== "UNSIGNED-PAYLOAD" && !/^[0-9a-f]{64}$/.test(payloadHash))
    throw new S3Error("NotImplemented", `payload signing mode "${payloadHash.slice(0, 40)}" is not supported`);
  const signed = signedList.split(";");
  if (!signed.includes("host") || !signed.includes("x-amz-content-sha256") || !signed.includes("x-amz-date"))
    throw new S3Error("AccessDenied", "host, x-amz-date and x-amz-content-sha256 must be signed");
  const secret = secretOf(accessKeyId);
  if (!secret) throw new S3Error("InvalidAccessKeyId", "the access key ID does not exist in our records");

  // Exactly the headers the client signed, as it sent them.
  const headers: Record<string, string> = {};
  for (const name of signed) {
    const v = header(req.headers, name);
    if (v === undefined) throw new S3Error("AccessDenied", `signed header "${name}" is missing`);
    headers[name] = v;
  }
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(req.rawQuery)) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey: secret },
    region,
    service: "s3",
    sha256: Sha256,
    // S3 signs the path as sent (no second encoding, no normalisation).
    uriEscapePath: false,
    applyChecksum: false,
  });
  const expected = await signer.sign(
    { method: req.method, protocol: "http:", hostname: headers.host ?? "", path: req.rawPath, query, headers },
    { signingDate: date, signableHeaders: new Set(signed) },
  );
  const got = /Signature=([0-9a-f]{64})/.exec(String(expected.headers.authorization))?.[1] ?? "";
  const want = Buffer.from(signature, "hex");
  if (got.length !== 64 || !timingSafeEqual(Buffer.from(got, "hex"), want))
    throw new S3Error(
      "SignatureDoesNotMatch",
      "the request signature we calculated does not match the signature you provided",
    );
  return { accessKeyId, payloadHash };
}
