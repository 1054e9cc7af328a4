/**
 * @module MsgPinStart: checks the defender's opened commitment at step 0 against the start its receipt describes.
 * The submitter supplies module and input (bounded by `maxPinBytes`, gas per byte); the chain checks their hashes
 * against module_hash and input_hash and computes the initial commitment with the runtime's pure function
 * (`initialStepCommitment`, through the StepVerifier) under the receipt's own fuel_limit and memory_pages from the
 * empty kv state (state_root_before must be its zero root); a match pins the start, a mismatch is fraud: the node's
 * trace starts from a state that is not its job's. Refused while the runtime provides no such function.
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

const isZero = (h: Uint8Array) => h.length === 32 && h.every((b) => b === 0);

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
      // Jobs start from the empty kv state (a spec carries none; the committee signs only that): the chain cannot
      // rebuild another start from its root alone, so such a receipt is refused here rather than judged.
      if (!isZero(g.stateRootBefore))
        throw FraudErrors.InvalidPin.wrap("state_root_before is not the empty kv state: the start cannot be rebuilt");
      let start: Uint8Array;
      try {
        start = initial(m.module, m.input, { fuel: g.fuelLimit, memoryPages: g.memoryPages });
      } catch (e) {
        throw FraudErrors.InvalidPin.wrap((e as Error).message);
      }
      ctx.emit(moveEvent(g, m.signer, "pin_start"));
      // The receipt binds every input of step 0 (module, input, fuel and memory limits, the empty kv state), so the
      // start is a pure function of what the node signed: any other opened start is a made-up first state.
      let done: typeof g;
      if (hashEqual(start, g.loCommitment)) {
        done = { ...g, startPinned: true };
        keeper.update(ctx, g, done);
      } else
        done = keeper.resolve(
          ctx,
          g,
          GameStatus.GAME_STATUS_FRAUD,
          `step 0 is not module ${toHex(g.moduleHash).slice(0, 16)}… on its input under fuel ${g.fuelLimit} and ${g.memoryPages} pages`,
        );
      return {
        typeUrl: "/dsdn.fraud.v1.MsgPinStartResponse",
        value: MsgPinStartResponse.encode({ status: done.status }).finish(),
      };
    },
  };
}
