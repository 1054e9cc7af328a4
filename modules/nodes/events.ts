/** @module nodes events: types and attribute keys as constants, plus constructors. */
import { event } from "../../chain-app/events.js";

export const EventType = { RegisterNode: "register_node", NodeStatus: "node_status" } as const;

export const registerNodeEvent = (nodeId: string, operator: string, cls: string, zone: string) =>
  event(EventType.RegisterNode, [
    ["node_id", nodeId],
    ["operator", operator],
    ["class", cls],
    ["zone", zone],
  ]);
export const nodeStatusEvent = (nodeId: string, from: string, to: string, reason: string) =>
  event(EventType.NodeStatus, [
    ["node_id", nodeId],
    ["from", from],
    ["to", to],
    ["reason", reason],
  ]);
