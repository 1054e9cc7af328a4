/** @module S3's error catalog: the codes AWS clients understand, their HTTP status, and the XML body they expect. */
import { XMLBuilder } from "fast-xml-parser";

/** S3 error code → HTTP status (the subset this gateway answers). */
export const S3_ERROR_STATUS = {
  AccessDenied: 403,
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  BadDigest: 400,
  BucketAlreadyExists: 409,
  BucketAlreadyOwnedByYou: 409,
  BucketNotEmpty: 409,
  EntityTooLarge: 400,
  EntityTooSmall: 400,
  IncompleteBody: 400,
  InternalError: 500,
  InvalidAccessKeyId: 403,
  InvalidArgument: 400,
  InvalidBucketName: 400,
  InvalidPart: 400,
  InvalidPartOrder: 400,
  InvalidRange: 416,
  InvalidRequest: 400,
  KeyTooLongError: 400,
  MalformedXML: 400,
  MethodNotAllowed: 405,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  NoSuchUpload: 404,
  NotImplemented: 501,
  RequestTimeTooSkewed: 403,
  ServiceUnavailable: 503,
  SignatureDoesNotMatch: 403,
  TooManyParts: 400,
  SlowDown: 503,
} as const;

export type S3ErrorCode = keyof typeof S3_ERROR_STATUS;

export class S3Error extends Error {
  readonly status: number;
  constructor(
    readonly code: S3ErrorCode,
    message: string,
    readonly extra: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = "S3Error";
    this.status = S3_ERROR_STATUS[code];
  }
}

export const xml = new XMLBuilder({ ignoreAttributes: false, suppressEmptyNode: false, processEntities: true });

/** `<?xml …?><root …>` with the S3 namespace on the root element. */
export function xmlDocument(root: string, body: Record<string, unknown>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${xml.build({
    [root]: { "@_xmlns": "http://s3.amazonaws.com/doc/2006-03-01/", ...body },
  })}`;
}

/** The <Error> document; `resource` is the request path, `requestId` the reference the gateway logs. */
export function errorXml(e: S3Error, resource: string, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${xml.build({
    Error: { Code: e.code, Message: e.message, ...e.extra, Resource: resource, RequestId: requestId },
  })}`;
}
