// The storage node answers the chain's liveness challenge by itself, once per period, against a real chain app:
// its answer passes the chain's checks (node key, period, seed) and a second look does not send again.
import { afterEach, describe, expect, it } from "vitest";
import { ed25519KeyPair } from "../../common/ed25519.js";
import { unpackAny } from "../../common/protobuf.js";
import { secp256k1KeyPair } from "../../common/secp256k1.js";
import { ModuleAccount, moduleAddress } from "../../modules/auth/moduleAccounts.js";
import { QueryChallengeRequest, QueryChallengeResponse } from "../../proto/gen/dsdn/subsidy/v1/query.js";
import { MsgLivenessProof } from "../../proto/gen/dsdn/subsidy/v1/tx.js";
import { CHAIN_ID, NUSA, TestChain } from "../../test/support/testChain.js";
import { addressOf } from "../../test/support/txBuilder.js";
import { LivenessResponder } from "./liveness.js";

const nodeKey = ed25519KeyPair(new Uint8Array(32).fill(0xa1));
const operator = secp256k1KeyPair(new Uint8Array(32).fill(0xa2));
const chains: TestChain[] = [];
afterEach(() => {
  for (const c of chains.splice(0)) c.close();
});

describe("LivenessResponder", () => {
  it("answers the open challenge with the node key once per period; the chain accepts it", async () => {
    const c = new TestChain(
      TestChain.genesis({
        balances: [
          { address: addressOf(operator), amount: 1_000n * NUSA },
          { address: moduleAddress(ModuleAccount.SubsidyPool), amount: NUSA },
        ],
        appState: {
          nodes: {
            nodes: [
              {
                nodeId: Buffer.from(nodeKey.publicKey).toString("hex"),
                operator: addressOf(operator),
                tlsCertFingerprint: "ab".repeat(32),
                zone: "z",
                class: "NODE_CLASS_REGULAR",
                capacityBytes: "1000",
                endpoint: "http://127.0.0.1:7800",
                status: "NODE_STATUS_ACTIVE",
                statusReason: "",
                registeredHeight: "0",
                cooldownUntil: "0",
                bannedUntil: "0",
              },
            ],
          },
          subsidy: { params: { challengePeriodSeconds: "20", challengeDeadlineSeconds: "10" } },
        },
      }),
    );
    chains.push(c);
    c.init();
    const sent: string[] = [];
    const responder = new LivenessResponder({
      identity: nodeKey,
      chain: {
        chainId: CHAIN_ID,
        signer: addressOf(operator),
        async query(path, request) {
          const r = c.app.query({ path, data: request, height: 0n, prove: false });
          return r.value as Uint8Array;
        },
        async send(msg) {
          const any = { typeUrl: msg.typeUrl, value: MsgLivenessProof.encode(msg.value).finish() };
          sent.push(unpackAny(any, msg.typeUrl, MsgLivenessProof).period.toString());
          const r = c.exec(operator, [any], { dt: 1n });
          return { code: r.code, rawLog: r.log };
        },
      },
    });
    expect(await responder.tick()).toBeUndefined(); // no challenge before the first block
    c.block();
    expect(await responder.tick()).toBe(1n);
    expect(await responder.tick()).toBeUndefined(); // answered: nothing sent again
    const q = c.query(
      "/dsdn.subsidy.v1.Query/Challenge",
      QueryChallengeRequest,
      { nodeId: nodeKey.publicKey },
      QueryChallengeResponse,
    );
    expect([q.period, q.answered]).toEqual([1n, true]);
    while (c.query("/dsdn.subsidy.v1.Query/Challenge", QueryChallengeRequest, {}, QueryChallengeResponse).period < 2n)
      c.block([], { dt: 2n });
    expect(await responder.tick()).toBe(2n);
    expect(sent).toEqual(["1", "2"]);
  });
});
