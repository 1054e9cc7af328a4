/** @module Finding 10: a node endpoint is judged by a fixed grammar, not the Node version's URL parser. */
import { afterEach, describe, expect, it } from "vitest";
import { fromHex } from "../../../common/hash.js";
import { secp256k1KeyPair } from "../../../common/secp256k1.js";
import { bondNodeMsg, NodeClass, NUSA, nodeKey, registerMsg, TestChain } from "../../../modules/stake/testChain.js";
import { addressOf } from "../../support/txBuilder.js";

const op = secp256k1KeyPair(fromHex("c7".repeat(32)));
const OP = addressOf(op);
let chain: TestChain;
afterEach(() => chain?.close());

describe("MsgRegisterNode endpoint (finding 10)", () => {
  it.each(["http://0x7f.1/", "https://node.example:9443\t", "http://user:pw@node.example", "HTTPS://NODE.EXAMPLE"])(
    "refuses %j, which Node's URL parser would accept",
    (endpoint) => {
      chain = TestChain.start({ balances: [{ address: OP, amount: 10_000n * NUSA }] });
      chain.block();
      expect(chain.exec(op, [bondNodeMsg(OP, NodeClass.NODE_CLASS_REGULAR, 600n * NUSA)]).code).toBe(0);
      const r = chain.exec(op, [registerMsg(OP, nodeKey(0x44), { endpoint })]);
      expect(r).toMatchObject({ codespace: "nodes" });
      expect(r.log).toMatch(/endpoint/);
      expect(chain.exec(op, [registerMsg(OP, nodeKey(0x44), { endpoint: "https://node.example:9443" })]).code).toBe(0);
    },
  );
});
