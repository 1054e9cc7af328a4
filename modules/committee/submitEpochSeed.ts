/**
 * @module MsgSubmitEpochSeed: the designated producer of the open seed request submits its ECVRF proof; the
 * verified output is the epoch's seed and the committee is drawn from the request's pool at once.
 */
import type { MsgDef } from "../../chain-app/module.js";
import { ECVRF_PROOF_BYTES, ecvrfVerify } from "../../common/ecvrf.js";
import { MsgSubmitEpochSeed, MsgSubmitEpochSeedResponse } from "../../proto/gen/dsdn/committee/v1/tx.js";
import { addressBytesOf } from "../auth/keeper.js";
import { seedAlpha } from "./epochSeed.js";
import { CommitteeErrors } from "./errors.js";
import type { CommitteeKeeper } from "./keeper.js";

export const MSG_SUBMIT_EPOCH_SEED_TYPE_URL = "/dsdn.committee.v1.MsgSubmitEpochSeed";

export function msgSubmitEpochSeed(keeper: CommitteeKeeper): MsgDef<MsgSubmitEpochSeed> {
  return {
    typeUrl: MSG_SUBMIT_EPOCH_SEED_TYPE_URL,
    codec: MsgSubmitEpochSeed,
    signers: (m) => [m.signer],
    validateBasic(m) {
      addressBytesOf(m.signer);
      if (m.proof.length !== ECVRF_PROOF_BYTES)
        throw CommitteeErrors.InvalidVrfProof.wrap(`proof must be ${ECVRF_PROOF_BYTES} bytes`);
    },
    handle(ctx, m) {
      const r = keeper.getSeedRequest(ctx);
      if (!r || r.epoch !== m.epoch)
        throw CommitteeErrors.NoSeedRequest.wrap(r ? `the open request is for epoch ${r.epoch}` : `epoch ${m.epoch}`);
      const producer = keeper.designatedProducer(ctx, r);
      if (producer.operator !== m.signer)
        throw CommitteeErrors.NotDesignated.wrap(`this slot's producer is ${producer.operator}`);
      ctx.gas.consume(keeper.getParams(ctx).vrfVerifyCost, "epoch seed ECVRF proof");
      const beta = ecvrfVerify(producer.vrfPublicKey, seedAlpha(ctx.block.chainId, r.epoch, r.prevSeed), m.proof);
      if (!beta)
        throw CommitteeErrors.InvalidVrfProof.wrap("does not verify for the request's input and the producer's key");
      const c = keeper.recordSeed(ctx, r, beta, m.proof, producer.operator);
      return {
        typeUrl: "/dsdn.committee.v1.MsgSubmitEpochSeedResponse",
        value: MsgSubmitEpochSeedResponse.encode({ seed: c.seed }).finish(),
      };
    },
  };
}
