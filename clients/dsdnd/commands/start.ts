/** @module `dsdnd start`: serves Chain Nusantara over the ABCI socket to this home's CometBFT node. */
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { createApp } from "../../../app/buildApp.js";
import { startAbciServer } from "../../../chain-app/abci/index.js";
import { ChainStore } from "../../../chain-app/store/index.js";
import type { Command } from "../../../common/cli.js";
import { untilSignal } from "../../../common/cli.js";
import { encodePriceVote } from "../../../modules/oracle/index.js";
import { withCallTrace } from "../callTrace.js";
import { faultPauseFromEnv, withFaultPause } from "../faultPause.js";
import { appDbPath, homeOption, loadAppConfig } from "../home.js";
import { pollPriceFile } from "../priceSource.js";

export const start: Command = {
  summary: "run the Chain Nusantara application (ABCI socket server) for this home",
  usage: "[--home DIR] [--abci tcp://127.0.0.1:26658] [--min-gas-price 0.025unusa] [--price-file FILE]",
  options: {
    ...homeOption,
    abci: { type: "string" },
    "min-gas-price": { type: "string" },
    "price-file": { type: "string" },
  },
  async run({ values, out, err }) {
    const home = String(values.home);
    const cfg = loadAppConfig(home);
    const listen = (values.abci as string | undefined) ?? cfg.abci;
    const minGasPrice = (values["min-gas-price"] as string | undefined) ?? cfg.minGasPrice;
    mkdirSync(dirname(appDbPath(home)), { recursive: true });
    const store = ChainStore.open(appDbPath(home), { retainHeights: cfg.retainHeights });
    const priceFile = (values["price-file"] as string | undefined) ?? cfg.priceFile;
    const prices = priceFile ? pollPriceFile(priceFile, { log: err }) : undefined;
    const app = createApp(store, {
      minGasPrice,
      voteExtension: prices
        ? () => {
            const p = prices.latest();
            return p === undefined ? undefined : encodePriceVote(p);
          }
        : undefined,
    });
    const fault = faultPauseFromEnv();
    if (fault) err(`dsdnd: TEST FAULT INJECTION on: pause ${fault.pauseMs} ms at ${fault.phase}@${fault.height}`);
    const faulty = fault ? withFaultPause(app, fault) : app;
    // Benchmarks only: per-block timing of the ABCI calls, one file per process in that folder (bench/chainPace.ts).
    const traceDir = process.env.DSDND_ABCI_TRACE;
    const traced = traceDir ? withCallTrace(faulty, join(traceDir, `${process.pid}.jsonl`)) : faulty;
    const server = await startAbciServer(traced, { listen });
    out(
      `dsdnd: serving ABCI on ${server.address} (height ${store.lastHeight}, min gas price ${minGasPrice || "none"})`,
    );
    out(`dsdnd: ${await untilSignal()}, shutting down`);
    prices?.stop();
    await server.close();
    store.close();
    return 0;
  },
};
