import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CheckTxType, ResponseProcessProposal_ProposalStatus } from "cosmjs-types/tendermint/abci/types";
import { afterEach, describe, expect, it } from "vitest";
import type { AbciApplication } from "../../chain-app/abci/index.js";
import { withCallTrace } from "./callTrace.js";

const app: AbciApplication = {
  info: () => ({ lastBlockHeight: 1n }),
  initChain: () => ({}),
  query: () => ({ code: 0 }),
  checkTx: (req) => ({ code: req.tx.length === 0 ? 1 : 0, log: `len ${req.tx.length}` }),
  prepareProposal: (req) => ({ txs: req.txs }),
  processProposal: () => ({ status: ResponseProcessProposal_ProposalStatus.ACCEPT }),
  finalizeBlock: (req) => ({ txResults: req.txs.map(() => ({ code: 0 })), appHash: Uint8Array.of(9) }),
  commit: () => ({ retainHeight: 0n }),
};

let dir = "";
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("withCallTrace (DSDND_ABCI_TRACE)", () => {
  it("answers as the app does and writes one line per committed block with each kind's count", async () => {
    dir = mkdtempSync(join(tmpdir(), "calltrace-"));
    const file = join(dir, "trace.jsonl");
    const t = withCallTrace(app, file);
    const tx = Uint8Array.of(1, 2, 3);
    expect(await t.checkTx({ tx, type: CheckTxType.NEW })).toEqual({ code: 0, log: "len 3" });
    expect(await t.checkTx({ tx: new Uint8Array(), type: CheckTxType.NEW })).toMatchObject({ code: 1 });
    await t.checkTx({ tx, type: CheckTxType.RECHECK });
    await t.processProposal({ txs: [tx, tx], height: 7n } as never);
    const fin = await t.finalizeBlock({ txs: [tx, tx], height: 7n } as never);
    expect(fin.appHash).toEqual(Uint8Array.of(9));
    await t.commit({});
    await t.checkTx({ tx, type: CheckTxType.NEW });
    await t.finalizeBlock({ txs: [tx], height: 8n } as never);
    await t.commit({});
    const lines = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ height: "7", txs: 2 });
    expect(lines[0].kinds.checkTx.n).toBe(2);
    expect(lines[0].kinds.recheckTx.n).toBe(1);
    expect(lines[0].kinds.processProposal.n).toBe(1);
    expect(lines[0].kinds.finalizeBlock.n).toBe(1);
    expect(lines[0].kinds.commit.n).toBe(1);
    expect(lines[1]).toMatchObject({ height: "8", txs: 1 });
    expect(lines[1].kinds.checkTx.n).toBe(1);
    expect(lines[1].kinds.recheckTx).toBeUndefined();
  });
});
