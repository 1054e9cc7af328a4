/**
 * @module `dsdn-node watcher`: re-executes compute receipts found on DA and challenges wrong ones, playing each
 * game to its verdict (node-agent/watcher). Its chain key comes from a keyring (never the command line); it needs
 * only DA, the chain and the object store.
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { passphraseSource } from "../../clients/dsdnd/passphrase.js";
import { Keyring } from "../../clients/keyring.js";
import { DEFAULT_GAS_PRICE } from "../../clients/sdk/client.js";
import { type Command, untilSignal } from "../../common/cli.js";
import { InvalidArgumentError } from "../../common/errors.js";
import { fetchObjectBounded } from "../compute/agent.js";
import { createDALayer, daCliOptions, daOptionsFromCli } from "../da/replay/createDALayer.js";
import { connectFraudChain } from "../fraud/cosmosChain.js";
import { Watcher } from "../watcher/watcher.js";

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

export const watcherCommand: Command = {
  summary: "Watch compute receipts on DA: re-execute them and challenge (bonded) the wrong ones, playing each game",
  usage:
    "--data DIR --from KEY [--keyring-dir DIR] [--keyring-backend file|test] [--passphrase-file F] --rpc URL --objects-url URL --da URL --token-file FILE [--namespace HEX] [--sample-ppm 1000000] [--poll-ms 1000] [--gas-price P]",
  options: {
    data: { type: "string" },
    from: { type: "string" },
    "keyring-dir": { type: "string" },
    "keyring-backend": { type: "string" },
    "passphrase-file": { type: "string" },
    rpc: { type: "string" },
    "objects-url": { type: "string" },
    "sample-ppm": { type: "string", default: "1000000" },
    "poll-ms": { type: "string", default: "1000" },
    "gas-price": { type: "string", default: DEFAULT_GAS_PRICE },
    ...daCliOptions,
  },
  async run({ values: v, out, err }) {
    const data = str(v.data);
    const from = str(v.from);
    const rpcUrl = str(v.rpc) ?? str(process.env.RPC_URL);
    const objectsUrl = str(v["objects-url"]) ?? str(process.env.INGRESS_URL);
    if (!data || !from || !rpcUrl || !objectsUrl)
      throw new InvalidArgumentError(
        "--data, --from, --rpc (or RPC_URL) and --objects-url (or INGRESS_URL) are required",
      );
    const samplePpm = Number(v["sample-ppm"]);
    if (!Number.isSafeInteger(samplePpm) || samplePpm < 0 || samplePpm > 1_000_000)
      throw new InvalidArgumentError("--sample-ppm must be an integer in 0..1000000");
    const pollMs = Number(v["poll-ms"]);
    if (!Number.isSafeInteger(pollMs) || pollMs < 100) throw new InvalidArgumentError("--poll-ms must be ≥ 100");
    const backendText = str(v["keyring-backend"]) ?? process.env.DSDND_KEYRING_BACKEND ?? "file";
    if (backendText !== "file" && backendText !== "test")
      throw new InvalidArgumentError("--keyring-backend must be file or test");
    const dataDir = resolve(data);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const ring = new Keyring(
      str(v["keyring-dir"]) ?? join(dataDir, "keyring"),
      backendText,
      passphraseSource(str(v["passphrase-file"])),
    );
    const chain = await connectFraudChain(rpcUrl, await ring.signer(from), String(v["gas-price"]));
    const da = await createDALayer(daOptionsFromCli(v));
    const params = await chain.params();
    const w = new Watcher({
      da,
      chain,
      fetchObject: (cid, max) => fetchObjectBounded(objectsUrl, cid, max),
      statePath: join(dataDir, "watcher-state.json"),
      samplePpm,
      moveTimeoutSeconds: BigInt(params.moveTimeoutSeconds ?? "1800"),
      log: err,
    });
    let stopped = false;
    let busy: Promise<void> = Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const loop = () => {
      if (stopped) return;
      busy = w
        .tick()
        .catch((e) => err(`watcher: ${(e as Error).message}`))
        .finally(() => {
          if (!stopped) timer = setTimeout(loop, pollMs);
        });
    };
    out(`watcher ${chain.address} following DA from height ${w.state.daHeight}`);
    loop();
    await untilSignal();
    stopped = true;
    clearTimeout(timer);
    await busy;
    chain.close();
    await da.close();
    out("watcher stopped");
    return 0;
  },
};
