/** @module fraud events: one per move, types and attribute keys as constants, plus constructors. */
import { event } from "../../chain-app/events.js";
import { toHex } from "../../common/hash.js";
import { type Game, gameStatusToJSON } from "../../proto/gen/dsdn/fraud/v1/fraud.js";

export const EventType = {
  Challenge: "fraud_challenge",
  Move: "fraud_move",
  Verdict: "fraud_verdict",
} as const;

const base = (g: Game): [string, string][] => [
  ["game_id", g.id.toString()],
  ["receipt_id", toHex(g.receiptId)],
  ["status", gameStatusToJSON(g.status)],
  ["lo", g.lo.toString()],
  ["hi", g.hi.toString()],
  ["rounds", String(g.rounds)],
  ["deadline", g.deadline.toString()],
];

export const challengeEvent = (g: Game) =>
  event(EventType.Challenge, [...base(g), ["challenger", g.challenger], ["defender", g.defender], ["bond", g.bond]]);
export const moveEvent = (g: Game, by: string, what: string) =>
  event(EventType.Move, [...base(g), ["by", by], ["move", what]]);
export const verdictEvent = (g: Game) =>
  event(EventType.Verdict, [...base(g), ["reason", g.reason], ["slashed", g.slashed], ["reward", g.reward]]);
