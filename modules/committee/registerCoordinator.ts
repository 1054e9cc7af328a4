/**
 * @module MsgRegisterCoordinator / MsgDeregisterCoordinator: a validator operator names the ed25519 identity
 * key (proven by a signature), ECVRF key and endpoint of the coordinator it runs; registered operators are the
 * committee candidates, weighted by their validator's tokens.
 */
import { concat, utf8 } from "../../chain-app/encoding.js";
import type { MsgDef } from "../../chain-app/module.js";
import { isValidVrfPublicKey } from "../../common/ecvrf.js";
import { ed25519Sign, ed25519Verify } from "../../common/ed25519.js";
import { bytesEqual } from "../../common/hash.js";
import {
  MsgDeregisterCoordinator,
  MsgDeregisterCoordinatorResponse,
  MsgRegisterCoordinator,
  MsgRegisterCoordinatorResponse,
} from "../../proto/gen/dsdn/committee/v1/tx.js";
import { addressBytesOf } from "../auth/keeper.js";
import { CommitteeErrors } from "./errors.js";
import { deregisterCoordinatorEvent, registerCoordinatorEvent } from "./events.js";
import type { StakeKeeper } from "./expectedKeepers.js";
import type { CommitteeKeeper } from "./keeper.js";

export const MSG_REGISTER_COORDINATOR_TYPE_URL = "/dsdn.committee.v1.MsgRegisterCoordinator";
export const MSG_DEREGISTER_COORDINATOR_TYPE_URL = "/dsdn.committee.v1.MsgDeregisterCoordinator";
export const MAX_ENDPOINT_LENGTH = 256;

/** What the identity key signs to prove possession, bound to the chain, the operator and its VRF key. */
export function coordinatorBindingBytes(
  chainId: string,
  operator: Uint8Array,
  vrfPublicKey: Uint8Array,
  endpoint: string,
): Uint8Array {
  return concat(
    utf8("dsdn.committee.v1.RegisterCoordinator\0"),
    utf8(chainId),
    Uint8Array.of(0),
    operator,
    vrfPublicKey,
    utf8(endpoint),
  );
}

export function signCoordinatorBinding(
  chainId: string,
  operator: Uint8Array,
  vrfPublicKey: Uint8Array,
  endpoint: string,
  secretKey: Uint8Array,
): Uint8Array {
  return ed25519Sign(coordinatorBindingBytes(chainId, operator, vrfPublicKey, endpoint), secretKey);
}

export function msgRegisterCoordinator(keeper: CommitteeKeeper, stake: StakeKeeper): MsgDef<MsgRegisterCoordinator> {
  return {
    typeUrl: MSG_REGISTER_COORDINATOR_TYPE_URL,
    codec: MsgRegisterCoordinator,
    signers: (m) => [m.signer],
    validateBasic(m) {
      addressBytesOf(m.signer);
      if (m.identityKey.length !== 32) throw CommitteeErrors.InvalidIdentity.wrap("identity_key must be 32 bytes");
      if (!isValidVrfPublicKey(m.vrfPublicKey))
        throw CommitteeErrors.InvalidIdentity.wrap(
          "vrf_public_key must be a 32-byte edwards25519 point of large order",
        );
      if (m.identitySignature.length !== 64)
        throw CommitteeErrors.InvalidIdentity.wrap("identity_signature must be 64 bytes");
      if (m.endpoint.length > MAX_ENDPOINT_LENGTH || !/^https?:\/\/[^\s]+$/.test(m.endpoint))
        throw CommitteeErrors.InvalidEndpoint.wrap(`an http(s) URL of at most ${MAX_ENDPOINT_LENGTH} characters`);
    },
    handle(ctx, m) {
      const op = addressBytesOf(m.signer);
      if (!stake.getValidator(ctx, op)) throw CommitteeErrors.NotValidator.wrap(m.signer);
      const owner = keeper.operatorOfIdentity(ctx, m.identityKey);
      if (owner && !bytesEqual(owner, op)) throw CommitteeErrors.IdentityInUse;
      ctx.gas.consume(keeper.getParams(ctx).sigVerifyCostEd25519, "coordinator identity signature");
      if (
        !ed25519Verify(
          m.identitySignature,
          coordinatorBindingBytes(ctx.block.chainId, op, m.vrfPublicKey, m.endpoint),
          m.identityKey,
        )
      )
        throw CommitteeErrors.InvalidIdentity.wrap(
          "identity_signature does not verify for this chain, operator and endpoint",
        );
      keeper.setCandidate(ctx, op, {
        operator: m.signer,
        identityKey: m.identityKey,
        endpoint: m.endpoint,
        registeredHeight: ctx.block.height,
        vrfPublicKey: m.vrfPublicKey,
      });
      ctx.emit(registerCoordinatorEvent(m.signer, m.identityKey, m.endpoint));
      return {
        typeUrl: "/dsdn.committee.v1.MsgRegisterCoordinatorResponse",
        value: MsgRegisterCoordinatorResponse.encode({}).finish(),
      };
    },
  };
}

export function msgDeregisterCoordinator(keeper: CommitteeKeeper): MsgDef<MsgDeregisterCoordinator> {
  return {
    typeUrl: MSG_DEREGISTER_COORDINATOR_TYPE_URL,
    codec: MsgDeregisterCoordinator,
    signers: (m) => [m.signer],
    validateBasic(m) {
      addressBytesOf(m.signer);
    },
    handle(ctx, m) {
      // A sitting member stays in its committee until the epoch ends; it is just not selected again.
      if (!keeper.removeCandidate(ctx, addressBytesOf(m.signer))) throw CommitteeErrors.NotCandidate.wrap(m.signer);
      ctx.emit(deregisterCoordinatorEvent(m.signer));
      return {
        typeUrl: "/dsdn.committee.v1.MsgDeregisterCoordinatorResponse",
        value: MsgDeregisterCoordinatorResponse.encode({}).finish(),
      };
    },
  };
}
