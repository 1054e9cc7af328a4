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
};

export function main(argv: string[]): Promise<number> {
  return runCli("dsdn", dsdn, argv);
}
