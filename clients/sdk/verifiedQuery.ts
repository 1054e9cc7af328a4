/** @module Light-client reads: a raw state value plus its sparse-Merkle proof, checked against a block header's app hash. */
import type { CometClient } from "@cosmjs/tendermint-rpc";
import { verifyProof } from "../../chain-app/store/proof.js";
import { IntegrityError } from "../../common/errors.js";

/** Proof op type the app attaches to `/store/key` answers (see chain-app/app/app.ts). */
export const SMT_PROOF_OP = "dsdn:smt";

export interface VerifiedValue {
  /** undefined when the proof shows the key is absent. */
  readonly value: Uint8Array | undefined;
  /** State height the value was read at. */
  readonly height: number;
  /** App hash of that state, taken from header height + 1 (which commits to it). */
  readonly appHash: Uint8Array;
}

/**
 * Reads `key` from state with prove=true and verifies the proof against the app hash in the header
 * of the next block — so the answer is trusted only as far as the header is (the node serving the
 * query is not trusted at all). Throws IntegrityError when the proof does not hold.
 */
export async function verifiedRawKey(
  comet: CometClient,
  key: Uint8Array,
  options: { height?: number; timeoutMs?: number } = {},
): Promise<VerifiedValue> {
  const r = await comet.abciQuery({
    path: "/store/key",
    data: key,
    prove: true,
    ...(options.height ? { height: options.height } : {}),
  });
  if (r.code) throw new IntegrityError(`store query failed with code ${r.code}: ${r.log ?? ""}`);
  const height = r.height ?? 0;
  const op = r.proof?.ops.find((o) => o.type === SMT_PROOF_OP);
  if (!op) throw new IntegrityError("the node returned no state proof");
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let appHash: Uint8Array | undefined;
  while (!appHash) {
    try {
      appHash = (await comet.block(height + 1)).block.header.appHash;
    } catch (e) {
      if (Date.now() > deadline)
        throw new IntegrityError(`no header at height ${height + 1} to verify against`, { cause: e });
      await new Promise((res) => setTimeout(res, 200));
    }
  }
  // An empty value on the wire means "absent" (the store never holds empty values).
  const value = r.value.length > 0 ? r.value : undefined;
  if (!verifyProof(appHash, key, value, op.data)) {
    throw new IntegrityError(
      `state proof for key ${Buffer.from(key).toString("hex")} does not match app hash at height ${height}`,
    );
  }
  return { value, height, appHash };
}
