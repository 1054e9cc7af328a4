/** @module AWS Signature V4 authentication for the S3 gateway (Authorization header or presigned query): the AWS SDK's own signer computes the expected signature. */
import { timingSafeEqual } from "node:crypto";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { STREAMING_UNSIGNED_TRAILER } from "./awsChunked.js";
import { S3Error } from "./errors.js";

/** A request is accepted within this many ms of its x-amz-date (S3's own window is 15 minutes). */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
/** The longest a presigned URL may live (X-Amz-Expires, seconds): S3's own bound, one week. */
export const MAX_PRESIGNED_EXPIRES_S = 7 * 24 * 3600;

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
const CREDENTIAL_RE = /^([A-Z0-9]{16,128})\/(\d{8})\/([a-z0-9-]{1,32})\/s3\/aws4_request$/;
const SIGNED_HEADERS_RE = /^[a-z0-9;-]{1,2048}$/;

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
 * Verifies a request signed with AWS Signature V4 — in its Authorization header, or in its query (a presigned
 * URL) — against `secretOf(accessKeyId)`. Throws an S3Error (AccessDenied, InvalidAccessKeyId,
 * SignatureDoesNotMatch, RequestTimeTooSkewed, …) on any failure.
 */
export async function verifySigV4(
  req: SignedRequestInput,
  region: string,
  secretOf: (accessKeyId: string) => string | undefined,
  now = Date.now(),
): Promise<Authenticated> {
  const auth = header(req.headers, "authorization");
  const presigned = /(^|&)X-Amz-(Signature|Algorithm|Credential)=/i.test(req.rawQuery);
  if (auth && presigned)
    throw new S3Error(
      "InvalidArgument",
      "only one auth mechanism allowed: the Authorization header or a presigned query",
    );
  if (presigned) return verifyPresigned(req, region, secretOf, now);
  if (!auth) throw new S3Error("AccessDenied", "anonymous requests are not allowed: sign with AWS Signature V4");
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
  if (
    payloadHash !== "UNSIGNED-PAYLOAD" &&
    payloadHash !== STREAMING_UNSIGNED_TRAILER &&
    !/^[0-9a-f]{64}$/.test(payloadHash)
  )
    throw new S3Error("NotImplemented", `payload signing mode "${payloadHash.slice(0, 40)}" is not supported`);
  const signed = signedList.split(";");
  if (!signed.includes("host") || !signed.includes("x-amz-content-sha256") || !signed.includes("x-amz-date"))
    throw new S3Error("AccessDenied", "host, x-amz-date and x-amz-content-sha256 must be signed");
  // An aws-chunked body with a checksum trailer: its decoded length and the trailer's name must be signed.
  if (
    payloadHash === STREAMING_UNSIGNED_TRAILER &&
    !(signed.includes("x-amz-decoded-content-length") && signed.includes("x-amz-trailer"))
  )
    throw new S3Error("AccessDenied", "x-amz-decoded-content-length and x-amz-trailer must be signed");
  const secret = secretOf(accessKeyId);
  if (!secret) throw new S3Error("InvalidAccessKeyId", "the access key ID does not exist in our records");
  const signer = signerFor(accessKeyId, secret, region);
  const headers = signedHeaders(req, signed);
  const expected = await signer.sign(
    {
      method: req.method,
      protocol: "http:",
      hostname: headers.host ?? "",
      path: req.rawPath,
      query: queryOf(req.rawQuery),
      headers,
    },
    { signingDate: date, signableHeaders: new Set(signed) },
  );
  checkSignature(/Signature=([0-9a-f]{64})/.exec(String(expected.headers.authorization))?.[1] ?? "", signature);
  return { accessKeyId, payloadHash };
}

/**
 * Query authentication (a presigned URL): X-Amz-Algorithm, -Credential, -Date, -Expires (1 s to one week),
 * -SignedHeaders (host at least) and -Signature in the query; the payload is unsigned, as S3 has it. The URL
 * works from X-Amz-Date (give or take the clock skew) until X-Amz-Date + X-Amz-Expires, and any change to
 * the path, the query or a signed header breaks the signature.
 */
async function verifyPresigned(
  req: SignedRequestInput,
  region: string,
  secretOf: (accessKeyId: string) => string | undefined,
  now: number,
): Promise<Authenticated> {
  const q = new URLSearchParams(req.rawQuery);
  const one = (name: string): string => {
    const v = q.getAll(name);
    if (v.length !== 1)
      throw new S3Error("AuthorizationQueryParametersError", `the query must carry ${name} exactly once`);
    return v[0]!;
  };
  if (one("X-Amz-Algorithm") !== "AWS4-HMAC-SHA256")
    throw new S3Error("AuthorizationQueryParametersError", "X-Amz-Algorithm must be AWS4-HMAC-SHA256");
  const cred = CREDENTIAL_RE.exec(one("X-Amz-Credential"));
  if (!cred) throw new S3Error("AuthorizationQueryParametersError", "X-Amz-Credential is malformed");
  const [, accessKeyId, day, credRegion] = cred as unknown as [string, string, string, string];
  if (credRegion !== region)
    throw new S3Error(
      "AuthorizationQueryParametersError",
      `the region "${credRegion}" is wrong; expecting "${region}"`,
    );
  const amzDate = one("X-Amz-Date");
  const date = parseAmzDate(amzDate);
  if (!date || amzDate.slice(0, 8) !== day)
    throw new S3Error("AuthorizationQueryParametersError", "X-Amz-Date is malformed or not the credential's day");
  const expiresRaw = one("X-Amz-Expires");
  const expires = /^\d{1,7}$/.test(expiresRaw) ? Number(expiresRaw) : Number.NaN;
  if (!(expires >= 1 && expires <= MAX_PRESIGNED_EXPIRES_S))
    throw new S3Error(
      "AuthorizationQueryParametersError",
      `X-Amz-Expires must be 1 to ${MAX_PRESIGNED_EXPIRES_S} seconds`,
    );
  if (now < date.getTime() - MAX_CLOCK_SKEW_MS) throw new S3Error("AccessDenied", "request is not valid yet");
  if (now > date.getTime() + expires * 1000) throw new S3Error("AccessDenied", "request has expired");
  const signedList = one("X-Amz-SignedHeaders");
  if (!SIGNED_HEADERS_RE.test(signedList))
    throw new S3Error("AuthorizationQueryParametersError", "X-Amz-SignedHeaders is malformed");
  const signed = signedList.split(";");
  if (!signed.includes("host")) throw new S3Error("AccessDenied", "host must be signed");
  const signature = one("X-Amz-Signature");
  if (!/^[0-9a-f]{64}$/.test(signature))
    throw new S3Error("AuthorizationQueryParametersError", "X-Amz-Signature is malformed");
  if (q.has("X-Amz-Security-Token"))
    throw new S3Error("NotImplemented", "session tokens are not supported; sign with an access key of this gateway");
  const secret = secretOf(accessKeyId);
  if (!secret) throw new S3Error("InvalidAccessKeyId", "the access key ID does not exist in our records");

  // The payload is unsigned unless the URL names its SHA-256 (X-Amz-Content-Sha256, which the AWS SDK's
  // presigner sets to UNSIGNED-PAYLOAD); a named digest is then checked against the body like a header's.
  const contentSha = q.getAll("X-Amz-Content-Sha256");
  if (
    contentSha.length > 1 ||
    (contentSha[0] !== undefined && !/^([0-9a-f]{64}|UNSIGNED-PAYLOAD)$/.test(contentSha[0]))
  )
    throw new S3Error("AuthorizationQueryParametersError", "X-Amz-Content-Sha256 is malformed");
  const payloadHash = contentSha[0] ?? "UNSIGNED-PAYLOAD";
  const query = queryOf(req.rawQuery);
  delete query["X-Amz-Signature"];
  delete query["X-Amz-Content-Sha256"];
  const headers = signedHeaders(req, signed);
  const expected = await signerFor(accessKeyId, secret, region).presign(
    {
      method: req.method,
      protocol: "http:",
      hostname: headers.host ?? "",
      path: req.rawPath,
      query,
      // The signer takes the payload hash from this header; it goes back into the query when it came from there,
      // else it stays an unsigned header (so it adds nothing to what is signed).
      headers: { ...headers, "X-Amz-Content-Sha256": payloadHash },
    },
    {
      signingDate: date,
      expiresIn: expires,
      // Exactly the headers the URL signed stay headers (none is moved into the query).
      unhoistableHeaders: new Set(contentSha[0] === undefined ? [...signed, "x-amz-content-sha256"] : signed),
      ...(contentSha[0] === undefined ? { unsignableHeaders: new Set(["x-amz-content-sha256"]) } : {}),
    },
  );
  checkSignature(String(expected.query?.["X-Amz-Signature"] ?? ""), signature);
  return { accessKeyId, payloadHash };
}

/** S3 signs the path as sent (no second encoding, no normalisation). */
function signerFor(accessKeyId: string, secretAccessKey: string, region: string): SignatureV4 {
  return new SignatureV4({
    credentials: { accessKeyId, secretAccessKey },
    region,
    service: "s3",
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
}

/** Exactly the headers the client signed, as it sent them. */
function signedHeaders(req: SignedRequestInput, signed: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of signed) {
    const v = header(req.headers, name);
    if (v === undefined) throw new S3Error("AccessDenied", `signed header "${name}" is missing`);
    headers[name] = v;
  }
  return headers;
}

function queryOf(rawQuery: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(rawQuery)) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return query;
}

/** Constant-time comparison of the expected and the given hex signatures. */
function checkSignature(expected: string, given: string): void {
  if (expected.length !== 64 || !timingSafeEqual(Buffer.from(expected, "hex"), Buffer.from(given, "hex")))
    throw new S3Error(
      "SignatureDoesNotMatch",
      "the request signature we calculated does not match the signature you provided",
    );
}
