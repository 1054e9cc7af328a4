/**
 * @module CometBFT RPC JSON (hex hashes, `parts`, numeric enums, RFC3339Nano times) turned into the
 * gRPC-gateway JSON of the same tendermint.types protos (base64 bytes, `part_set_header`, enum names,
 * jsonpb timestamps), as cosmos/base/tendermint/v1beta1/query.proto returns them.
 */
import { toBech32Address } from "../../common/secp256k1.js";
import { VALCONS_PREFIX } from "./params.js";

type J = any;

/** bytes CometBFT prints as hex, in jsonpb: base64, or null when empty (a nil []byte). */
export function hexBytes(hex: unknown): string | null {
  return typeof hex === "string" && hex.length > 0 ? Buffer.from(hex, "hex").toString("base64") : null;
}

/** bytes CometBFT prints as base64: unchanged, or null when empty. */
function b64Bytes(b64: unknown): string | null {
  return typeof b64 === "string" && b64.length > 0 ? b64 : null;
}

/** jsonpb prints a Timestamp's fraction with 0, 3, 6 or 9 digits; Go's RFC3339Nano trims trailing zeros. */
export function timestamp(t: unknown): string {
  const m = typeof t === "string" ? /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(t) : null;
  if (!m) return "0001-01-01T00:00:00Z";
  const frac = (m[2] ?? "").replace(/0+$/, "");
  if (frac === "") return `${m[1]}Z`;
  const width = frac.length <= 3 ? 3 : frac.length <= 6 ? 6 : 9;
  return `${m[1]}.${frac.padEnd(width, "0")}Z`;
}

const BLOCK_ID_FLAG = ["BLOCK_ID_FLAG_UNKNOWN", "BLOCK_ID_FLAG_ABSENT", "BLOCK_ID_FLAG_COMMIT", "BLOCK_ID_FLAG_NIL"];
const SIGNED_MSG_TYPE: Record<number, string> = {
  0: "SIGNED_MSG_TYPE_UNKNOWN",
  1: "SIGNED_MSG_TYPE_PREVOTE",
  2: "SIGNED_MSG_TYPE_PRECOMMIT",
  32: "SIGNED_MSG_TYPE_PROPOSAL",
};

/** A validator's consensus address (hex) as the SDK prints it in sdk_block and validator sets. */
export function valconsAddress(hex: unknown): string {
  return typeof hex === "string" && hex.length > 0 ? toBech32Address(Buffer.from(hex, "hex"), VALCONS_PREFIX) : "";
}

export function blockIdJson(id: J): J {
  return {
    hash: hexBytes(id?.hash),
    part_set_header: { total: Number(id?.parts?.total ?? 0), hash: hexBytes(id?.parts?.hash) },
  };
}

function headerJson(h: J, proposer: (hex: unknown) => unknown): J {
  return {
    version: { block: String(h.version?.block ?? "0"), app: String(h.version?.app ?? "0") },
    chain_id: String(h.chain_id ?? ""),
    height: String(h.height ?? "0"),
    time: timestamp(h.time),
    last_block_id: blockIdJson(h.last_block_id),
    last_commit_hash: hexBytes(h.last_commit_hash),
    data_hash: hexBytes(h.data_hash),
    validators_hash: hexBytes(h.validators_hash),
    next_validators_hash: hexBytes(h.next_validators_hash),
    consensus_hash: hexBytes(h.consensus_hash),
    app_hash: hexBytes(h.app_hash),
    last_results_hash: hexBytes(h.last_results_hash),
    evidence_hash: hexBytes(h.evidence_hash),
    proposer_address: proposer(h.proposer_address),
  };
}

function voteJson(v: J): J {
  return {
    type: SIGNED_MSG_TYPE[Number(v?.type ?? 0)] ?? "SIGNED_MSG_TYPE_UNKNOWN",
    height: String(v?.height ?? "0"),
    round: Number(v?.round ?? 0),
    block_id: blockIdJson(v?.block_id),
    timestamp: timestamp(v?.timestamp),
    validator_address: hexBytes(v?.validator_address),
    validator_index: Number(v?.validator_index ?? 0),
    signature: b64Bytes(v?.signature),
    extension: b64Bytes(v?.extension),
    extension_signature: b64Bytes(v?.extension_signature),
  };
}

/** Evidence items: CometBFT prints amino-style `{type, value}`; jsonpb prints the `oneof sum` field. */
function evidenceJson(e: J): J {
  const v = e?.value ?? {};
  if (e?.type === "tendermint/DuplicateVoteEvidence")
    return {
      duplicate_vote_evidence: {
        vote_a: voteJson(v.vote_a),
        vote_b: voteJson(v.vote_b),
        total_voting_power: String(v.TotalVotingPower ?? "0"),
        validator_power: String(v.ValidatorPower ?? "0"),
        timestamp: timestamp(v.Timestamp),
      },
    };
  return {
    light_client_attack_evidence: {
      conflicting_block: null,
      common_height: String(v.CommonHeight ?? "0"),
      byzantine_validators: [],
      total_voting_power: String(v.TotalVotingPower ?? "0"),
      timestamp: timestamp(v.Timestamp),
    },
  };
}

function blockJson(b: J, proposer: (hex: unknown) => unknown): J {
  const c = b.last_commit ?? {};
  return {
    header: headerJson(b.header ?? {}, proposer),
    data: { txs: (b.data?.txs ?? []).map(String) },
    evidence: { evidence: (b.evidence?.evidence ?? []).map(evidenceJson) },
    last_commit: {
      height: String(c.height ?? "0"),
      round: Number(c.round ?? 0),
      block_id: blockIdJson(c.block_id),
      signatures: (c.signatures ?? []).map((s: J) => ({
        block_id_flag: BLOCK_ID_FLAG[Number(s.block_id_flag ?? 0)] ?? "BLOCK_ID_FLAG_UNKNOWN",
        validator_address: hexBytes(s.validator_address),
        timestamp: timestamp(s.timestamp),
        signature: b64Bytes(s.signature),
      })),
    },
  };
}

/** GetLatestBlockResponse / GetBlockByHeightResponse: block_id, block (proposer as bytes), sdk_block (bech32). */
export function blockResponseJson(r: J): J {
  return {
    block_id: blockIdJson(r.block_id),
    block: blockJson(r.block ?? {}, hexBytes),
    sdk_block: blockJson(r.block ?? {}, valconsAddress),
  };
}

/** One tendermint validator (query.proto `Validator`): bech32 valcons address, ed25519 key in an Any. */
export function validatorJson(v: J): J {
  const keyType = v.pub_key?.type === "tendermint/PubKeySecp256k1" ? "secp256k1" : "ed25519";
  return {
    address: valconsAddress(v.address),
    pub_key: { "@type": `/cosmos.crypto.${keyType}.PubKey`, key: String(v.pub_key?.value ?? "") },
    voting_power: String(v.voting_power ?? "0"),
    proposer_priority: String(v.proposer_priority ?? "0"),
  };
}

/** `default_node_info` (tendermint.p2p.DefaultNodeInfo) from CometBFT's `status.node_info`. */
export function nodeInfoJson(n: J): J {
  return {
    protocol_version: {
      p2p: String(n.protocol_version?.p2p ?? "0"),
      block: String(n.protocol_version?.block ?? "0"),
      app: String(n.protocol_version?.app ?? "0"),
    },
    default_node_id: String(n.id ?? ""),
    listen_addr: String(n.listen_addr ?? ""),
    network: String(n.network ?? ""),
    version: String(n.version ?? ""),
    channels: hexBytes(n.channels),
    moniker: String(n.moniker ?? ""),
    other: { tx_index: String(n.other?.tx_index ?? ""), rpc_address: String(n.other?.rpc_address ?? "") },
  };
}
