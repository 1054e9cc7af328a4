/** CometBFT RPC JSON → gateway JSON details that a live chain rarely shows (trimmed fractions, absent votes). */
import { describe, expect, it } from "vitest";
import { blockResponseJson, hexBytes, timestamp, valconsAddress } from "./cometJson.js";

describe("CometBFT JSON to gateway JSON", () => {
  it.each([
    ["2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"],
    ["2026-01-01T00:00:00.5Z", "2026-01-01T00:00:00.500Z"],
    ["2026-01-01T00:00:00.1234Z", "2026-01-01T00:00:00.123400Z"],
    ["2026-01-01T00:00:00.123456789Z", "2026-01-01T00:00:00.123456789Z"],
    ["2026-01-01T00:00:00.120000Z", "2026-01-01T00:00:00.120Z"],
    ["not a time", "0001-01-01T00:00:00Z"],
  ])("timestamp %s → %s (jsonpb: 0, 3, 6 or 9 fraction digits)", (input, out) => {
    expect(timestamp(input)).toBe(out);
  });

  it("bytes: hex to base64, empty to null; consensus addresses to nusavalcons", () => {
    expect(hexBytes("00ff")).toBe("AP8=");
    expect(hexBytes("")).toBeNull();
    expect(valconsAddress("00".repeat(20))).toMatch(/^nusavalcons1/);
  });

  it("an absent vote and a duplicate-vote evidence map to the proto names and enum strings", () => {
    const r = blockResponseJson({
      block_id: { hash: "AA", parts: { total: 1, hash: "BB" } },
      block: {
        header: { version: { block: "11", app: "0" }, height: "3", proposer_address: "01".repeat(20) },
        data: { txs: [] },
        evidence: {
          evidence: [
            {
              type: "tendermint/DuplicateVoteEvidence",
              value: {
                vote_a: { type: 2, height: "2", round: 0, validator_address: "02".repeat(20), signature: "c2ln" },
                vote_b: { type: 2, height: "2", round: 0, validator_address: "02".repeat(20), signature: "c2lo" },
                TotalVotingPower: "40",
                ValidatorPower: "10",
                Timestamp: "2026-01-01T00:00:01Z",
              },
            },
          ],
        },
        last_commit: {
          height: "2",
          round: 0,
          signatures: [{ block_id_flag: 1, validator_address: "", timestamp: "0001-01-01T00:00:00Z", signature: null }],
        },
      },
    });
    expect(r.block_id).toEqual({ hash: "qg==", part_set_header: { total: 1, hash: "uw==" } });
    expect(r.block.last_commit.signatures[0]).toEqual({
      block_id_flag: "BLOCK_ID_FLAG_ABSENT",
      validator_address: null,
      timestamp: "0001-01-01T00:00:00Z",
      signature: null,
    });
    const ev = r.block.evidence.evidence[0].duplicate_vote_evidence;
    expect(ev.vote_a.type).toBe("SIGNED_MSG_TYPE_PRECOMMIT");
    expect(ev.total_voting_power).toBe("40");
    expect(ev.validator_power).toBe("10");
    expect(r.sdk_block.header.proposer_address).toMatch(/^nusavalcons1/);
    expect(r.block.header.proposer_address).toBe(Buffer.from("01".repeat(20), "hex").toString("base64"));
  });
});
