/**
 * @module MsgSubmitStepProof: ends a game down to one step. Anyone may submit (the defender is expected to; the
 * challenger may when the defender is silent): the chain charges gas by proof size before decoding (bounded by
 * `maxStepProofBytes`), runs the runtime's pure `verifyStep(lo commitment, proof)` and compares the result with
 * the defender's commitment at hi — equal: false accusation; different: fraud. A proof that does not match the
 * agreed pre-state is refused and decides nothing.
 */
import type { MsgDef } from "../../chain-app/module.js";
import { GameStatus } from "../../proto/gen/dsdn/fraud/v1/fraud.js";
import { MsgSubmitStepProof, MsgSubmitStepProofResponse } from "../../proto/gen/dsdn/fraud/v1/tx.js";
import { addressBytesOf } from "../auth/keeper.js";
import { gameForMove } from "./bisect.js";
import { FraudErrors } from "./errors.js";
import { moveEvent } from "./events.js";
import type { FraudKeeper } from "./keeper.js";
import { hashEqual, type StepVerifier } from "./proofAdapter.js";

export const MSG_SUBMIT_STEP_PROOF_TYPE_URL = "/dsdn.fraud.v1.MsgSubmitStepProof";

export function msgSubmitStepProof(keeper: FraudKeeper, verifier: StepVerifier): MsgDef<MsgSubmitStepProof> {
  return {
    typeUrl: MSG_SUBMIT_STEP_PROOF_TYPE_URL,
    codec: MsgSubmitStepProof,
    signers: (m) => [m.signer],
    validateBasic(m) {
      addressBytesOf(m.signer);
      if (m.proof.length === 0) throw FraudErrors.InvalidStepProof.wrap("empty proof");
    },
    handle(ctx, m) {
      const p = keeper.getParams(ctx);
      if (BigInt(m.proof.length) > p.maxStepProofBytes)
        throw FraudErrors.ProofTooLarge.wrap(`${m.proof.length} > ${p.maxStepProofBytes} bytes`);
      const g0 = keeper.getGame(ctx, m.gameId);
      const moot = g0 && keeper.resolveIfMoot(ctx, g0);
      if (moot)
        return {
          typeUrl: "/dsdn.fraud.v1.MsgSubmitStepProofResponse",
          value: MsgSubmitStepProofResponse.encode({ status: moot.status }).finish(),
        };
      const g = gameForMove(ctx, keeper, m.gameId);
      if (g.status !== GameStatus.GAME_STATUS_AWAIT_STEP_PROOF)
        throw FraudErrors.NotAwaitingProof.wrap(`range [${g.lo}, ${g.hi}]`);
      ctx.gas.consume(p.stepVerifyGas + p.stepProofGasPerByte * BigInt(m.proof.length), "one-step verification");
      let post: Uint8Array;
      try {
        post = verifier.step(g.loCommitment, m.proof, Number(p.maxStepProofBytes));
      } catch (e) {
        throw FraudErrors.InvalidStepProof.wrap((e as Error).message);
      }
      ctx.emit(moveEvent(g, m.signer, "step_proof"));
      const done = hashEqual(post, g.hiCommitment)
        ? keeper.resolve(
            ctx,
            g,
            GameStatus.GAME_STATUS_FALSE_ACCUSATION,
            `step ${g.lo}→${g.hi} verified as the defender claimed`,
          )
        : keeper.resolve(
            ctx,
            g,
            GameStatus.GAME_STATUS_FRAUD,
            `step ${g.lo}→${g.hi} does not lead to the defender's commitment`,
          );
      return {
        typeUrl: "/dsdn.fraud.v1.MsgSubmitStepProofResponse",
        value: MsgSubmitStepProofResponse.encode({ status: done.status }).finish(),
      };
    },
  };
}
