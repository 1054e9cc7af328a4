/**
 * @module MsgPinStart: checks the defender's opened commitment at step 0 against the receipt's module and input.
 * The submitter supplies the bytes (bounded by `maxPinBytes`, gas per byte); the chain checks their hashes
 * against module_hash and input_hash and computes the initial commitment with the runtime's pure function
 * (`initialStepCommitment`, through the StepVerifier) under the default limits; a match pins the start, a mismatch
 * is refused (not fraud: the receipt does not yet bind the job's own limits, which step 0 depends on). Refused
 * while the runtime provides no such function.
 */
import type { MsgDef } from "../../chain-app/module.js";
import { sha256, toHex } from "../../common/hash.js";
import { MsgPinStart, MsgPinStartResponse } from "../../proto/gen/dsdn/fraud/v1/tx.js";
import { addressBytesOf } from "../auth/keeper.js";
import { gameForMove } from "./bisect.js";
import { FraudErrors } from "./errors.js";
import { moveEvent } from "./events.js";
import type { FraudKeeper } from "./keeper.js";
import { hashEqual, type StepVerifier } from "./proofAdapter.js";

export const MSG_PIN_START_TYPE_URL = "/dsdn.fraud.v1.MsgPinStart";

export function msgPinStart(keeper: FraudKeeper, verifier: StepVerifier): MsgDef<MsgPinStart> {
  return {
    typeUrl: MSG_PIN_START_TYPE_URL,
    codec: MsgPinStart,
    signers: (m) => [m.signer],
    validateBasic(m) {
      addressBytesOf(m.signer);
      if (m.module.length === 0) throw FraudErrors.InvalidPin.wrap("module bytes missing");
    },
    handle(ctx, m) {
      const initial = verifier.initialCommitment;
      if (!initial) throw FraudErrors.PinUnavailable;
      const p = keeper.getParams(ctx);
      const size = BigInt(m.module.length + m.input.length);
      if (size > p.maxPinBytes) throw FraudErrors.InvalidPin.wrap(`${size} > ${p.maxPinBytes} bytes`);
      const g = gameForMove(ctx, keeper, m.gameId);
      if (!g.opened || g.lo !== 0n) throw FraudErrors.InvalidMove.wrap("step 0 is not an opened end of this game");
      if (g.startPinned) throw FraudErrors.InvalidMove.wrap("step 0 is already pinned");
      ctx.gas.consume(p.pinGasPerByte * size, "pin start");
      if (!hashEqual(sha256(m.module), g.moduleHash)) throw FraudErrors.InvalidPin.wrap("module hash differs");
      if (!hashEqual(sha256(m.input), g.inputHash)) throw FraudErrors.InvalidPin.wrap("input hash differs");
      let start: Uint8Array;
      try {
        start = initial(m.module, m.input);
      } catch (e) {
        throw FraudErrors.InvalidPin.wrap((e as Error).message);
      }
      // A match proves the opened start is this module on this input. A mismatch proves nothing yet: the node ran
      // under its workload's own limits (fuel, memory pages), which step 0 holds and the receipt does not carry,
      // while the chain re-instantiates with the defaults — so it is refused, never taken for a made-up start.
      if (!hashEqual(start, g.loCommitment))
        throw FraudErrors.InvalidPin.wrap(
          `step 0 cannot be pinned: it is not module ${toHex(g.moduleHash)} on its input under the default limits`,
        );
      ctx.emit(moveEvent(g, m.signer, "pin_start"));
      const done = { ...g, startPinned: true };
      keeper.update(ctx, g, done);
      return {
        typeUrl: "/dsdn.fraud.v1.MsgPinStartResponse",
        value: MsgPinStartResponse.encode({ status: done.status }).finish(),
      };
    },
  };
}
