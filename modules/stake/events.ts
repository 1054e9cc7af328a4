/** @module stake events: types and attribute keys as constants, plus constructors. */
import { event } from "../../chain-app/events.js";

export const EventType = {
  CreateValidator: "create_validator",
  BondNode: "bond_node",
  Unbond: "unbond",
  CompleteUnbonding: "complete_unbonding",
  Slash: "stake_slash",
  PowerChange: "validator_power",
} as const;

export const createValidatorEvent = (operator: string, consAddr: string, amount: bigint, power: bigint) =>
  event(EventType.CreateValidator, [
    ["operator", operator],
    ["consensus_address", consAddr],
    ["amount", amount.toString()],
    ["power", power.toString()],
  ]);
export const bondNodeEvent = (operator: string, cls: string, amount: bigint, total: bigint) =>
  event(EventType.BondNode, [
    ["operator", operator],
    ["class", cls],
    ["amount", amount.toString()],
    ["total", total.toString()],
  ]);
export const unbondEvent = (owner: string, kind: string, amount: bigint, id: bigint, completion: bigint) =>
  event(EventType.Unbond, [
    ["owner", owner],
    ["kind", kind],
    ["amount", amount.toString()],
    ["unbonding_id", id.toString()],
    ["completion_time", completion.toString()],
  ]);
export const completeUnbondingEvent = (owner: string, amount: bigint, id: bigint) =>
  event(EventType.CompleteUnbonding, [
    ["owner", owner],
    ["amount", amount.toString()],
    ["unbonding_id", id.toString()],
  ]);
export const slashEvent = (owner: string, kind: string, fractionPpm: bigint, amount: bigint) =>
  event(EventType.Slash, [
    ["owner", owner],
    ["kind", kind],
    ["fraction_ppm", fractionPpm.toString()],
    ["amount", amount.toString()],
  ]);
export const powerEvent = (consAddr: string, power: bigint) =>
  event(EventType.PowerChange, [
    ["consensus_address", consAddr],
    ["power", power.toString()],
  ]);
