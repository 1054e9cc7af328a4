/**
 * @module The grammar of a node endpoint, fixed in chain code: block validity must not depend on the
 * Node version's WHATWG URL parser (which rewrites input: strips tabs and newlines, turns `\` into `/`,
 * reads `0x7f.1` as an IPv4 address, accepts user info).
 *
 *   endpoint = ("http" / "https") "://" host [ ":" port ] [ path ]
 *   host     = dns-name / ipv4 / "[" ipv6 "]"
 *   dns-name = label *( "." label ), label = 1*63( a-z / 0-9 / "-" ), not starting or ending with "-"
 *   ipv4     = four decimal octets 0-255 without leading zeros
 *   ipv6     = hex digits, ":" and "." only (at most 45 characters)
 *   port     = 1-65535 without leading zeros
 *   path     = "/" *( a-z / A-Z / 0-9 / "-" / "." / "_" / "~" / "/" ), no "." or ".." segment
 *
 * Lower-case scheme and host only, so one endpoint has one spelling; no query, fragment or user info.
 */

export interface Endpoint {
  readonly scheme: "http" | "https";
  readonly host: string;
  readonly port: number | undefined;
  readonly path: string;
}

const SHAPE = /^(https?):\/\/(\[[0-9a-f:.]{2,45}\]|[a-z0-9.-]{1,253})(?::([1-9][0-9]{0,4}))?(\/[A-Za-z0-9._~/-]*)?$/;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const OCTET = /^(?:0|[1-9][0-9]{0,2})$/;

/** Parses an endpoint by the grammar above; returns the reason it is refused as a string. */
export function parseEndpoint(s: string): Endpoint | string {
  const m = SHAPE.exec(s);
  if (!m) return "must be http(s)://host[:port][/path] in lower case, with no user info, query or fragment";
  const [, scheme, host, portText, path] = m as unknown as [string, "http" | "https", string, string?, string?];
  if (!host.startsWith("[")) {
    const labels = host.split(".");
    const numeric = labels.every((l) => /^[0-9]+$/.test(l));
    if (numeric) {
      if (labels.length !== 4 || !labels.every((l) => OCTET.test(l) && Number(l) <= 255))
        return `host "${host}" is not a dotted-quad IPv4 address`;
    } else if (!labels.every((l) => LABEL.test(l))) {
      return `host "${host}" is not a DNS name`;
    } else if (/^[0-9]+$/.test(labels[labels.length - 1]!)) {
      return `host "${host}" has a numeric top-level label`;
    }
  }
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && port > 65_535) return `port ${port} is out of range`;
  if (path?.split("/").some((seg) => seg === "." || seg === "..")) return "path has a . or .. segment";
  return { scheme, host, port, path: path ?? "" };
}
