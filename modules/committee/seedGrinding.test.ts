import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildModules } from "../../app/buildApp.js";
import { unmeteredContext } from "../../chain-app/context.js";
import { toHex } from "../../common/hash.js";
import { MsgSubmitEpochSeed } from "../../proto/gen/dsdn/committee/v1/tx.js";
import {
  designatedProducer,
  type Fixture,
  queryCommittee,
  seedMsg,
  setupFixture,
} from "../../test/support/receiptFixture.js";
import { CHAIN_ID } from "../../test/support/testChain.js";
import { MSG_SUBMIT_EPOCH_SEED_TYPE_URL } from "./submitEpochSeed.js";

/**
 * Random candidate headers per step. A seed that depends on the header at all takes two values among n random
 * headers unless one value covers nearly all headers (it stays single with probability p^(n-1) for the commonest
 * value's share p): 1,000 headers catch any dependence a grinder could use (each of its tries would give a new
 * seed) as surely as 10,000 did, at a tenth of the ECVRF verifications (the bulk of this file's time).
 */
const CANDIDATES = 1_000;
/** Rotation blocks only open the request (nothing random in them to grind); fewer suffice to show it is fixed. */
const ROTATION_CANDIDATES = 300;
const NO_VOTES = { decidedLastCommit: [], misbehavior: [] };

/**
 * Finding 3: the seed was a digest of the rotation block, so its proposer could try candidate blocks (hash,
 * proposer, time) until it liked the committee. Each candidate block here runs the committee module's begin
 * block and the txs the proposer has (the designated producer's ECVRF proof) on a scratch branch of the
 * committed state; the selected seed must be the same for all.
 */
describe("the committee seed cannot be ground by the block proposer", () => {
  let fx: Fixture;
  const { modules, keepers } = buildModules();
  const committee = modules.find((m) => m.name === "committee")!;
  const candidateBlock = (i: number, dt: bigint) =>
    unmeteredContext(
      fx.chain.store.branch(),
      {
        chainId: CHAIN_ID,
        height: fx.chain.height + 1n + BigInt(i % 3),
        timeSeconds: fx.chain.time + dt,
        timeNanos: (i * 7919) % 1_000_000_000,
        proposer: new Uint8Array(randomBytes(20)),
        hash: new Uint8Array(randomBytes(32)),
      },
      "finalize",
    );

  beforeAll(async () => {
    fx = await setupFixture({ validators: 5, committee: { epochBlocks: "20", handoffBlocks: "5" } });
  }, 120_000);
  afterAll(() => fx?.dispose());

  it(`${ROTATION_CANDIDATES} candidate rotation blocks open the same request; ${CANDIDATES} blocks carrying the proof select the same seed`, () => {
    const c1 = queryCommittee(fx.chain);
    while (fx.chain.height + 1n < c1.startHeight + 20n) fx.chain.block();
    // The rotation block: whatever its header, it only opens the request for epoch 2's seed (no seed yet).
    const requests = new Set<string>();
    for (let i = 0; i < ROTATION_CANDIDATES; i++) {
      const ctx = candidateBlock(i, 1n + BigInt(i % 30));
      committee.beginBlock!(ctx, NO_VOTES);
      expect(keepers.committee.getCommittee(ctx, 2n)).toBeUndefined();
      const r = keepers.committee.getSeedRequest(ctx)!;
      requests.add(`${toHex(r.prevSeed)}|${r.producers.map((m) => m.operator).join(",")}`);
    }
    expect(requests.size).toBe(1);
    fx.chain.block();
    // The block that carries the designated producer's proof: every header the proposer may try gives one seed.
    const { index, request } = designatedProducer(fx);
    const msg = MsgSubmitEpochSeed.decode(seedMsg(fx, index, request).value);
    const submit = committee.msgs!.find((d) => d.typeUrl === MSG_SUBMIT_EPOCH_SEED_TYPE_URL)!;
    const seeds = new Set<string>();
    for (let i = 0; i < CANDIDATES; i++) {
      const ctx = candidateBlock(i, 1n + BigInt(i % 60)); // inside the producer's 120 s slot
      committee.beginBlock!(ctx, NO_VOTES);
      submit.handle(ctx, msg);
      seeds.add(toHex(keepers.committee.getCommittee(ctx, 2n)!.seed));
    }
    expect(seeds.size).toBe(1);
  }, 600_000);
});
