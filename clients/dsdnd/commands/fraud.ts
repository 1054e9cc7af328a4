/**
 * @module `dsdnd tx fraud challenge|bisect|descend|step-proof|pin-start` and `dsdnd query fraud game|games|params`: play a
 * fraud game on a compute receipt by hand (the watcher/defender automation is a later task).
 */

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { QueryClient } from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import type { Command, CommandGroup } from "../../../common/cli.js";
import { outputOption, toJson } from "../../../common/cli.js";
import { InvalidArgumentError } from "../../../common/errors.js";
import { fromHex, toHex } from "../../../common/hash.js";
import { DisputeType, disputeTypeToJSON, type Game, gameStatusToJSON } from "../../../proto/gen/dsdn/fraud/v1/fraud.js";
import { ThresholdReceipt } from "../../../proto/gen/dsdn/receipts/v1/receipts.js";
import {
  bisectMsg,
  challengeMsg,
  descendMsg,
  type FraudExtension,
  pinStartMsg,
  setupFraudExtension,
  submitStepProofMsg,
} from "../../sdk/fraud.js";
import { readReceiptFile } from "../../sdk/receipts.js";
import { nodeOption } from "../home.js";
import { broadcast, txOptions } from "./tx.js";

const TYPES: Record<string, DisputeType> = {
  "invalid-output": DisputeType.DISPUTE_TYPE_INVALID_OUTPUT,
  "invalid-state-transition": DisputeType.DISPUTE_TYPE_INVALID_STATE_TRANSITION,
  "fake-execution": DisputeType.DISPUTE_TYPE_FAKE_EXECUTION,
};

const gameId = (s: string | undefined): bigint => {
  if (!s || !/^[1-9][0-9]{0,18}$/.test(s)) throw new InvalidArgumentError("<game-id> must be a positive integer");
  return BigInt(s);
};

/**
 * invalid-output: a 64-hex output hash; the index types: a checkpoint index (u64 BE); invalid-state-transition
 * `descent`: an empty claim (a Merkle descent of the node's checkpoint tree finds the checkpoint).
 */
function claimBytes(type: DisputeType, claim: string): Uint8Array {
  if (type === DisputeType.DISPUTE_TYPE_INVALID_STATE_TRANSITION && claim === "descent") return new Uint8Array(0);
  if (type === DisputeType.DISPUTE_TYPE_INVALID_OUTPUT) {
    if (!/^[0-9a-fA-F]{64}$/.test(claim))
      throw new InvalidArgumentError("invalid-output: <claim> is your 64-hex output hash");
    return fromHex(claim.toLowerCase());
  }
  if (!/^[0-9]{1,19}$/.test(claim) || BigInt(claim) > 0xffff_ffff_ffff_ffffn)
    throw new InvalidArgumentError(
      type === DisputeType.DISPUTE_TYPE_INVALID_STATE_TRANSITION
        ? "invalid-state-transition: <claim> is a checkpoint index, or `descent` to find it by a Merkle descent"
        : "fake-execution: <claim> is a checkpoint index",
    );
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(claim));
  return b;
}

/** `tx fraud challenge`'s dispute type and claim bytes, checked before the receipt file, a key or a node is touched. */
export function challengeClaim(
  positionals: readonly string[],
  from: unknown,
): { type: DisputeType; claim: Uint8Array } {
  const [file, kind, claim] = positionals;
  const type = kind && Object.hasOwn(TYPES, kind) ? TYPES[kind] : undefined;
  if (!file || type === undefined || !claim || typeof from !== "string")
    throw new InvalidArgumentError(
      `usage: dsdnd tx fraud challenge <receipt-file> <${Object.keys(TYPES).join("|")}> <claim> --from KEY`,
    );
  return { type, claim: claimBytes(type, claim) };
}

const challenge: Command = {
  summary: "bond a challenge on a compute receipt inside its window (escrows the bond, 100 NUSA by default)",
  usage: "<receipt-file> <invalid-output|invalid-state-transition|fake-execution> <claim> --from KEY [-o json]",
  options: { ...txOptions, from: { type: "string" } },
  async run({ positionals, values, out }) {
    const { type, claim } = challengeClaim(positionals, values.from);
    const f = await readReceiptFile(resolve(positionals[0]!));
    const receipt = ThresholdReceipt.encode(f.receipt).finish();
    return broadcast(values, out, String(values.from), (challenger) => [
      challengeMsg({ challenger, receipt, disputeType: type, claim }),
    ]);
  },
};

const bisect: Command = {
  summary: "post openings (JSON [{step, commitment hex, path [hex…]}]) for your move in a game",
  usage: "<game-id> <openings.json> --from KEY [-o json]",
  options: { ...txOptions, from: { type: "string" } },
  async run({ positionals, values, out }) {
    const [id, file] = positionals;
    if (!file || typeof values.from !== "string")
      throw new InvalidArgumentError("usage: dsdnd tx fraud bisect <game-id> <openings.json> --from KEY");
    const raw = JSON.parse(readFileSync(resolve(file), "utf8")) as {
      step: string;
      commitment: string;
      path?: string[];
    }[];
    const openings = raw.map((o) => ({
      step: BigInt(o.step),
      commitment: fromHex(o.commitment),
      path: (o.path ?? []).map((h) => fromHex(h)),
    }));
    return broadcast(values, out, values.from, (signer) => [bisectMsg({ signer, gameId: gameId(id), openings })]);
  },
};

/**
 * `tx fraud descend`'s move, checked before a key or a node is touched: the defender's reveal (`--hashes`: left,right,
 * or root,left,right on the first reveal) or the challenger's pick (`--child 0|1`), never both.
 */
export function descendMove(
  positionals: readonly string[],
  values: Record<string, unknown>,
): { gameId: bigint; hashes: Uint8Array[]; child: number } {
  const usage = "usage: dsdnd tx fraud descend <game-id> (--hashes HEX,HEX[,HEX] | --child 0|1) --from KEY";
  if (
    positionals.length !== 1 ||
    typeof values.from !== "string" ||
    (values.hashes === undefined) === (values.child === undefined)
  )
    throw new InvalidArgumentError(usage);
  const gid = gameId(positionals[0]);
  if (typeof values.hashes === "string") {
    const parts = values.hashes.split(",");
    if (parts.length < 2 || parts.length > 3)
      throw new InvalidArgumentError("--hashes: 2 hashes (left,right), or 3 on the first reveal (root,left,right)");
    const hashes = parts.map((h) => {
      if (!/^[0-9a-fA-F]{64}$/.test(h)) throw new InvalidArgumentError("--hashes: 64-hex hashes, comma-separated");
      return fromHex(h.toLowerCase());
    });
    return { gameId: gid, hashes, child: 0 };
  }
  if (values.child !== "0" && values.child !== "1") throw new InvalidArgumentError("--child is 0 (left) or 1 (right)");
  return { gameId: gid, hashes: [], child: values.child === "1" ? 1 : 0 };
}

const descend: Command = {
  summary:
    "a Merkle-descent move: the defender reveals hashes (hex: root, left, right, or left, right), the challenger names a child",
  usage: "<game-id> (--hashes HEX,HEX[,HEX] | --child 0|1) --from KEY [-o json]",
  options: { ...txOptions, from: { type: "string" }, hashes: { type: "string" }, child: { type: "string" } },
  async run({ positionals, values, out }) {
    const move = descendMove(positionals, values);
    return broadcast(values, out, String(values.from), (signer) => [descendMsg({ signer, ...move })]);
  },
};

const stepProof: Command = {
  summary: "submit the one-step proof of a game down to one step (the chain runs verifyStep)",
  usage: "<game-id> <proof-file> --from KEY [--gas N] [-o json]",
  options: { ...txOptions, from: { type: "string" } },
  async run({ positionals, values, out }) {
    const [id, file] = positionals;
    if (!file || typeof values.from !== "string")
      throw new InvalidArgumentError("usage: dsdnd tx fraud step-proof <game-id> <proof-file> --from KEY");
    const proof = new Uint8Array(readFileSync(resolve(file)));
    return broadcast(values, out, values.from, (signer) => [submitStepProofMsg({ signer, gameId: gameId(id), proof })]);
  },
};

const pinStart: Command = {
  summary: "pin step 0 of a game against the receipt's module and input bytes",
  usage: "<game-id> <module.wasm> <input-file> --from KEY [-o json]",
  options: { ...txOptions, from: { type: "string" } },
  async run({ positionals, values, out }) {
    const [id, mod, input] = positionals;
    if (!mod || !input || typeof values.from !== "string")
      throw new InvalidArgumentError("usage: dsdnd tx fraud pin-start <game-id> <module.wasm> <input-file> --from KEY");
    return broadcast(values, out, values.from, (signer) => [
      pinStartMsg({
        signer,
        gameId: gameId(id),
        module: new Uint8Array(readFileSync(resolve(mod))),
        input: new Uint8Array(readFileSync(resolve(input))),
      }),
    ]);
  },
};

export const fraudTx: CommandGroup = {
  summary: "fraud game transactions",
  commands: {
    challenge: async () => challenge,
    bisect: async () => bisect,
    descend: async () => descend,
    "step-proof": async () => stepProof,
    "pin-start": async () => pinStart,
  },
};

const qopts = { ...nodeOption, ...outputOption };

async function withFraud<T>(values: Record<string, unknown>, fn: (q: FraudExtension) => Promise<T>): Promise<T> {
  const comet = await connectComet(String(values.node));
  try {
    return await fn(QueryClient.withExtensions(comet, setupFraudExtension));
  } finally {
    comet.disconnect();
  }
}

export const gameJson = (g: Game) => ({
  id: g.id.toString(),
  receiptId: toHex(g.receiptId),
  disputeType: disputeTypeToJSON(g.disputeType),
  status: gameStatusToJSON(g.status),
  challenger: g.challenger,
  defender: g.defender,
  bond: g.bond,
  steps: g.steps.toString(),
  traceEvery: g.traceEvery.toString(),
  lo: g.lo.toString(),
  loCommitment: toHex(g.loCommitment),
  hi: g.hi.toString(),
  hiCommitment: toHex(g.hiCommitment),
  mid: g.mid.toString(),
  midCommitment: toHex(g.midCommitment),
  rounds: g.rounds,
  ...(g.descending || g.descentDepth > 0
    ? {
        descending: g.descending,
        descentDepth: g.descentDepth,
        descentIndex: g.descentIndex.toString(),
        descentNode: toHex(g.descentNode),
      }
    : {}),
  deadline: g.deadline.toString(),
  reason: g.reason,
  slashed: g.slashed,
  reward: g.reward,
});

const print = (values: Record<string, unknown>, out: (l: string) => void, j: object) =>
  out(
    values.output === "json"
      ? toJson(j)
      : Object.entries(j)
          .map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : v}`)
          .join("\n"),
  );

const gameQuery: Command = {
  summary: "a fraud game: status, disputed range, deadline, verdict",
  usage: "<game-id> [--node URL] [-o json]",
  options: qopts,
  run: ({ positionals, values, out }) =>
    withFraud(values, async (q) => {
      const g = await q.fraud.game(gameId(positionals[0]));
      if (!g) throw new InvalidArgumentError(`no game ${positionals[0]}`);
      print(values, out, gameJson(g));
      return 0;
    }),
};

const gamesQuery: Command = {
  summary: "the games on a receipt (at most 100, oldest first)",
  usage: "<receipt-id-hex> [--node URL] [-o json]",
  options: qopts,
  run: ({ positionals, values, out }) =>
    withFraud(values, async (q) => {
      const id = positionals[0];
      if (!id || !/^[0-9a-f]{64}$/.test(id))
        throw new InvalidArgumentError("<receipt-id-hex> must be 64 hex characters");
      const games = (await q.fraud.gamesByReceipt(fromHex(id))).map(gameJson);
      out(
        values.output === "json"
          ? toJson({ games })
          : games.map((g) => `${g.id} ${g.status} [${g.lo}, ${g.hi}]`).join("\n") || "(none)",
      );
      return 0;
    }),
};

const paramsQuery: Command = {
  summary: "fraud module params",
  usage: "[--node URL] [-o json]",
  options: qopts,
  run: ({ values, out }) =>
    withFraud(values, async (q) => {
      print(values, out, await q.fraud.params());
      return 0;
    }),
};

export const fraudQuery: CommandGroup = {
  summary: "fraud queries",
  commands: { game: async () => gameQuery, games: async () => gamesQuery, params: async () => paramsQuery },
};
