/** @module SSRF guard: an endpoint another service will call must resolve only to public unicast addresses. */
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

/** Loopback, private, link-local (cloud metadata 169.254.169.254), CGNAT, benchmark, multicast, reserved, unspecified. */
const NOT_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const)
  NOT_PUBLIC.addSubnet(net, prefix, "ipv4");
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b::", 96],
  ["100::", 64],
  ["2001:db8::", 32],
  ["fc00::", 7],
  ["fe80::", 10],
  ["fec0::", 10],
  ["ff00::", 8],
] as const)
  NOT_PUBLIC.addSubnet(net, prefix, "ipv6");

/** True for an IP literal that is not a public unicast address (IPv4-mapped IPv6 is judged as IPv4). */
export function isNonPublicIp(ip: string): boolean {
  const bare = ip.replace(/^\[|\]$/g, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped) return NOT_PUBLIC.check(mapped[1] as string, "ipv4");
  if (/^::ffff:/i.test(bare)) return true; // hex-form mapped addresses: refuse rather than parse
  const v = isIP(bare);
  if (v === 0) return true;
  return NOT_PUBLIC.check(bare, v === 4 ? "ipv4" : "ipv6");
}

export interface EndpointCheckOptions {
  /** Localnet only: loopback and private addresses are allowed. */
  readonly allowPrivate?: boolean;
  /** Resolver (tests); defaults to the system resolver, every address it returns is checked. */
  readonly resolve?: (host: string) => Promise<string[]>;
}

const systemResolve = async (host: string) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * Why `endpoint` must not be called, or undefined when it may: an http(s) URL without credentials whose
 * host (an IP, or every address its name resolves to) is public — unless `allowPrivate` (localnet).
 */
export async function endpointProblem(
  endpoint: string,
  options: EndpointCheckOptions = {},
): Promise<string | undefined> {
  let u: URL;
  try {
    u = new URL(endpoint);
  } catch {
    return "not a URL";
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") return "only http and https endpoints are allowed";
  if (u.username || u.password) return "credentials in the endpoint URL are not allowed";
  if (options.allowPrivate) return undefined;
  const host = u.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host) !== 0) return isNonPublicIp(host) ? `${host} is not a public address` : undefined;
  if (host === "localhost" || host.endsWith(".localhost")) return `${host} is not a public address`;
  let addresses: string[];
  try {
    addresses = await (options.resolve ?? systemResolve)(host);
  } catch {
    return `${host} does not resolve`;
  }
  if (addresses.length === 0) return `${host} does not resolve`;
  const bad = addresses.find(isNonPublicIp);
  return bad ? `${host} resolves to ${bad}, which is not a public address` : undefined;
}
