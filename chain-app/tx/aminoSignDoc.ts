/**
 * @module SIGN_MODE_LEGACY_AMINO_JSON sign bytes (the SDK's StdSignDoc: sorted, escaped JSON), built from the
 * decoded tx with each message's own amino form (`MsgDef.amino`), as CosmJS's amino signers build them.
 */
import { type AminoMsg, makeSignDoc, type StdFee, serializeSignDoc } from "@cosmjs/amino";
import { SdkErrors } from "../errors.js";
import type { DecodedTx } from "./decode.js";

export function aminoSignBytes(tx: DecodedTx, chainId: string, accountNumber: bigint, sequence: bigint): Uint8Array {
  const msgs: AminoMsg[] = tx.msgs.map((m, i) => {
    if (!m.def.amino)
      throw SdkErrors.Unauthorized.wrap(
        `message ${i} (${m.typeUrl}) has no amino JSON form: sign it with SIGN_MODE_DIRECT`,
      );
    return { type: m.def.amino.type, value: m.def.amino.toJson(m.msg as never) };
  });
  const f = tx.authInfo.fee;
  const fee: StdFee = {
    amount: (f?.amount ?? []).map((c) => ({ denom: c.denom, amount: c.amount })),
    gas: (f?.gasLimit ?? 0n).toString(),
    ...(f?.payer ? { payer: f.payer } : {}),
    ...(f?.granter ? { granter: f.granter } : {}),
  };
  const timeout = tx.body.timeoutHeight > 0n ? tx.body.timeoutHeight : undefined;
  return serializeSignDoc(makeSignDoc(msgs, fee, chainId, tx.body.memo, accountNumber, sequence.toString(), timeout));
}
