/**
 * @module MsgPostBlob: a blob posted as a transaction. Available once its block commits under CometBFT's ≥ 2/3;
 * the chain records the commitment forever and keeps the bytes for `retentionSeconds` (validator-quorum DA).
 */
import type { MsgDef } from "../../chain-app/module.js";
import { MsgPostBlob, MsgPostBlobResponse } from "../../proto/gen/dsdn/da/v1/tx.js";
import { addressBytesOf } from "../auth/keeper.js";
import { ModuleAccount } from "../auth/moduleAccounts.js";
import { blobCommitment, namespaceProblem } from "./commitment.js";
import { DAErrors } from "./errors.js";
import { postBlobEvent } from "./events.js";
import type { BankKeeper } from "./expectedKeepers.js";
import type { DAKeeper } from "./keeper.js";

export const MSG_POST_BLOB_TYPE_URL = "/dsdn.da.v1.MsgPostBlob";

export function msgPostBlob(keeper: DAKeeper, bank: BankKeeper): MsgDef<MsgPostBlob> {
  return {
    typeUrl: MSG_POST_BLOB_TYPE_URL,
    codec: MsgPostBlob,
    signers: (m) => [m.signer],
    validateBasic(m) {
      addressBytesOf(m.signer);
      const problem = namespaceProblem(m.namespace);
      if (problem) throw DAErrors.InvalidNamespace.wrap(problem);
      if (m.data.length === 0) throw DAErrors.EmptyBlob;
    },
    handle(ctx, m) {
      const p = keeper.getParams(ctx);
      if (BigInt(m.data.length) > p.maxBlobBytes)
        throw DAErrors.BlobTooLarge.wrap(`${m.data.length} > ${p.maxBlobBytes} bytes`);
      if (BigInt(keeper.blockCount(ctx, ctx.block.height)) >= p.maxBlobsPerBlock)
        throw DAErrors.BlockFull.wrap(`${p.maxBlobsPerBlock} blobs`);
      const signer = addressBytesOf(m.signer);
      const fee = p.feePerByte * BigInt(m.data.length);
      if (fee > 0n) {
        const have = bank.getBalance(ctx, signer, p.denom);
        if (have < fee) throw DAErrors.InsufficientFee.wrap(`${fee}${p.denom} needed, ${have}${p.denom} available`);
        bank.sendFromAccountToModule(ctx, signer, ModuleAccount.FeeCollector, [{ denom: p.denom, amount: fee }]);
      }
      const commitment = Buffer.from(blobCommitment(m.namespace, m.data));
      const rec = keeper.addBlob(
        ctx,
        { namespace: m.namespace, commitment, size: BigInt(m.data.length), signer: m.signer },
        m.data,
      );
      ctx.emit(postBlobEvent(m.signer, m.namespace, rec.height, rec.index, m.data.length, commitment, fee));
      return {
        typeUrl: "/dsdn.da.v1.MsgPostBlobResponse",
        value: MsgPostBlobResponse.encode({ height: rec.height, index: rec.index, commitment }).finish(),
      };
    },
  };
}
