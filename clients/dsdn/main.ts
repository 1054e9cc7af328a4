/** @module `dsdn`: the user's agent CLI — upload, get, delete, status, deploy, exec, logs, keys. */
import { type CommandGroup, runCli } from "../../common/cli.js";

export const dsdn: CommandGroup = {
  summary: "DSDN agent: store and fetch data, deploy workloads",
  commands: {
    upload: async () => (await import("./commands/upload.js")).upload,
    get: async () => (await import("./commands/get.js")).get,
    chunks: async () => (await import("./commands/chunks.js")).chunks,
    key: async () => (await import("./commands/key.js")).key,
    status: async () => (await import("./commands/status.js")).status,
    delete: async () => (await import("./commands/delete.js")).del,
    estimate: async () => (await import("./commands/estimate.js")).estimate,
    deploy: async () => (await import("./commands/deploy.js")).deploy,
    job: async () => (await import("./commands/job.js")).job,
    logs: async () => (await import("./commands/logs.js")).logs,
    exec: async () => (await import("./commands/exec.js")).exec,
    init: async () => (await import("./commands/init.js")).init,
    dev: async () => (await import("./commands/dev.js")).dev,
  },
  // `dsdn --help` prints these without importing any command (startup.test.ts checks they match each command's own).
  summaries: {
    chunks: "Chunk-level tools",
    delete:
      "Delete your pin of a file (signed with your key); when no owner pins it any more, nodes drop its chunks after a grace period",
    deploy: "Deploy a workload: dry run, upload module + input, sign and submit; prints the job id",
    dev: "Run a development network in one process (1 validator, DA, coordinator, 2 storage nodes, ingress) and a wallet-connect page",
    estimate:
      "Dry-run a workload (V8 fast path, fuel-capped): resource class, resolved spec with sources, price in USD (in NUSA too at the oracle price of --rpc / RPC_URL)",
    exec: "Run a module once with an input and print its output (deploy --wait, then the output on stdout)",
    get: "Fetch a file by its manifest CID, failing over between replicas (from the coordinator) or --node URLs",
    init: "Create a project from a template (static, batch, web_app, ai) that `dsdn estimate` / `dsdn deploy` run as is",
    job: "Follow deployed workloads: status, logs, output",
    key: "File keys: recovery from Shamir shares",
    logs: "A job's log lines, read from its node with your key (owner only); --follow until it ends",
    status: "Show an object's chunks and their replicas (node, zone, healthy) as recorded on DA",
    upload:
      "Upload a file: through the network (coordinator placement, 3 replicas in 3 zones, or --ec k+m Reed–Solomon shards, one node each), or to the --node URLs given; prints its manifest CID",
  },
};

export function main(argv: string[]): Promise<number> {
  return runCli("dsdn", dsdn, argv);
}
