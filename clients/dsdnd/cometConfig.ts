/** @module Edits CometBFT's config.toml in place: set `key = value` inside a `[section]`. */
import { ConfigError } from "../../common/errors.js";

/** Sets a key in a TOML section (top-level when section is ""); values are written as given (quote strings yourself). */
export function setToml(text: string, section: string, key: string, value: string): string {
  const lines = text.split("\n");
  let current = "";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const sec = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (sec) {
      current = sec[1] as string;
      continue;
    }
    if (current === section && new RegExp(`^\\s*${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*=`).test(line)) {
      lines[i] = `${key} = ${value}`;
      return lines.join("\n");
    }
  }
  throw new ConfigError("config.toml", `has no key ${section ? `[${section}] ` : ""}${key}`);
}

export const quote = (s: string): string => JSON.stringify(s);

export interface NodePorts {
  readonly p2p: number;
  readonly rpc: number;
  readonly abci: number;
  readonly prometheus: number;
}

/** Settings for a node on a single machine: own ports, loopback, kv indexer, fast blocks. */
export function localNodeConfig(
  text: string,
  o: { moniker: string; ports: NodePorts; peers: string; timeoutCommit: string; mempoolSize?: number },
): string {
  let t = text;
  t = setToml(t, "", "moniker", quote(o.moniker));
  t = setToml(t, "", "proxy_app", quote(`tcp://127.0.0.1:${o.ports.abci}`));
  t = setToml(t, "", "abci", quote("socket"));
  t = setToml(t, "rpc", "laddr", quote(`tcp://127.0.0.1:${o.ports.rpc}`));
  t = setToml(t, "rpc", "cors_allowed_origins", '["*"]');
  t = setToml(t, "rpc", "max_body_bytes", "10000000");
  t = setToml(t, "rpc", "max_subscription_clients", "200");
  t = setToml(t, "rpc", "timeout_broadcast_tx_commit", quote("30s"));
  t = setToml(t, "p2p", "laddr", quote(`tcp://127.0.0.1:${o.ports.p2p}`));
  t = setToml(t, "p2p", "external_address", quote(`127.0.0.1:${o.ports.p2p}`));
  t = setToml(t, "p2p", "persistent_peers", quote(o.peers));
  t = setToml(t, "p2p", "addr_book_strict", "false");
  t = setToml(t, "p2p", "allow_duplicate_ip", "true");
  t = setToml(t, "p2p", "pex", "false");
  t = setToml(t, "mempool", "size", String(o.mempoolSize ?? 20000));
  t = setToml(t, "mempool", "cache_size", "100000");
  t = setToml(t, "mempool", "max_txs_bytes", "1073741824");
  t = setToml(t, "consensus", "timeout_commit", quote(o.timeoutCommit));
  t = setToml(t, "consensus", "timeout_propose", quote("2s"));
  t = setToml(t, "tx_index", "indexer", quote("kv"));
  t = setToml(t, "instrumentation", "prometheus", "true");
  t = setToml(t, "instrumentation", "prometheus_listen_addr", quote(`127.0.0.1:${o.ports.prometheus}`));
  return t;
}
