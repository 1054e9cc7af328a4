/**
 * @module The bytes a node key signs to bind itself to an operator on one chain, so nobody can
 * register a node key they do not hold (or replay a binding on another chain or for another operator).
 */
import { concat, u64be, utf8 } from "../../chain-app/encoding.js";
import { ed25519Sign, ed25519Verify } from "../../common/ed25519.js";

export const NODE_BINDING_DOMAIN = utf8("dsdn/nodes/v1/NodeBinding\0");

export interface NodeBinding {
  readonly chainId: string;
  /** The operator's 20 address bytes (bech32-decoded). */
  readonly operator: Uint8Array;
  readonly nodeId: Uint8Array;
  readonly tlsCertFingerprint: Uint8Array;
  readonly zone: string;
  readonly class: number;
  readonly capacityBytes: bigint;
  readonly endpoint: string;
}

/** u16 big-endian length then the UTF-8 bytes: unambiguous concatenation of variable fields. */
function lp(s: string): Uint8Array {
  const b = utf8(s);
  if (b.length > 0xffff) throw new RangeError("field too long");
  return concat(Uint8Array.of(b.length >> 8, b.length & 0xff), b);
}

/**
 * domain ‖ lp(chain_id) ‖ operator(20) ‖ node_id(32) ‖ fingerprint(32) ‖ lp(zone) ‖ class(u8) ‖
 * capacity_bytes(u64 BE) ‖ lp(endpoint)
 */
export function nodeBindingBytes(b: NodeBinding): Uint8Array {
  if (b.operator.length !== 20) throw new RangeError("operator must be 20 address bytes");
  if (b.nodeId.length !== 32) throw new RangeError("node id must be 32 bytes");
  if (b.tlsCertFingerprint.length !== 32) throw new RangeError("fingerprint must be 32 bytes");
  return concat(
    NODE_BINDING_DOMAIN,
    lp(b.chainId),
    b.operator,
    b.nodeId,
    b.tlsCertFingerprint,
    lp(b.zone),
    Uint8Array.of(b.class & 0xff),
    u64be(b.capacityBytes),
    lp(b.endpoint),
  );
}

export function signNodeBinding(b: NodeBinding, nodeSecretKey: Uint8Array): Uint8Array {
  return ed25519Sign(nodeBindingBytes(b), nodeSecretKey);
}

export function verifyNodeBinding(b: NodeBinding, signature: Uint8Array): boolean {
  return ed25519Verify(signature, nodeBindingBytes(b), b.nodeId);
}
