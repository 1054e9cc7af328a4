/** @module slashing events: types and attribute keys as constants, plus constructors. */
import { event } from "../../chain-app/events.js";

export const EventType = {
  Slash: "slash",
  Jail: "jail",
  Liveness: "liveness",
  Unjail: "unjail",
  NodeFault: "node_fault",
  NodeBan: "node_ban",
} as const;

export const slashValidatorEvent = (consAddr: string, operator: string, reason: string, amount: bigint) =>
  event(EventType.Slash, [
    ["address", consAddr],
    ["operator", operator],
    ["reason", reason],
    ["burned", amount.toString()],
  ]);
export const jailEvent = (consAddr: string, until: bigint) =>
  event(EventType.Jail, [
    ["address", consAddr],
    ["jailed_until", until.toString()],
  ]);
export const livenessEvent = (consAddr: string, missed: bigint, height: bigint) =>
  event(EventType.Liveness, [
    ["address", consAddr],
    ["missed_blocks", missed.toString()],
    ["height", height.toString()],
  ]);
export const unjailEvent = (operator: string) => event(EventType.Unjail, [["operator", operator]]);
export const nodeFaultEvent = (nodeId: string, operator: string, fault: string, amount: bigint, cooldown: bigint) =>
  event(EventType.NodeFault, [
    ["node_id", nodeId],
    ["operator", operator],
    ["fault", fault],
    ["slashed", amount.toString()],
    ["cooldown_until", cooldown.toString()],
  ]);
export const nodeBanEvent = (nodeId: string, operator: string, until: bigint) =>
  event(EventType.NodeBan, [
    ["node_id", nodeId],
    ["operator", operator],
    ["banned_until", until.toString()],
  ]);
