/**
 * @module MsgPinStart: checks the defender's opened commitment at step 0 against the receipt's module and input.
 * The submitter supplies the bytes (bounded by `maxPinBytes`, gas per byte); the chain checks their hashes
 * against module_hash and input_hash and computes the initial commitment with the runtime's pure function
 * (rt-host's `initialStepCommitment`, through the StepVerifier); a mismatch is fraud. Refused while the runtime
 * provides no such function.
 */
import type { MsgDef } from "../../chain-app/module.js";
import { sha256, toHex } from "../../common/hash.js";
import { GameStatus } from "../../proto/gen/dsdn/fraud/v1/fraud.js";
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
      ctx.emit(moveEvent(g, m.signer, "pin_start"));
      const done = hashEqual(start, g.loCommitment)
        ? (() => {
            const pinned = { ...g, startPinned: true };
            keeper.update(ctx, g, pinned);
            return pinned;
          })()
        : keeper.resolve(
            ctx,
            g,
            GameStatus.GAME_STATUS_FRAUD,
            `step 0 is not module ${toHex(g.moduleHash)} on its input`,
          );
      return {
        typeUrl: "/dsdn.fraud.v1.MsgPinStartResponse",
        value: MsgPinStartResponse.encode({ status: done.status }).finish(),
      };
    },
  };
}
