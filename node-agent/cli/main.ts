/** @module `dsdn-node`: off-chain services — storage node, coordinator, ingress, local DA, replay, wasm, dashboard. */
import { type CommandGroup, runCli } from "../../common/cli.js";

export const dsdnNode: CommandGroup = {
  summary: "DSDN off-chain services (storage node, coordinator, ingress, S3 gateway, local DA)",
  commands: {
    audit: async () => (await import("./audit.js")).auditCommand,
    coordinator: async () => (await import("./coordinator.js")).coordinatorCommand,
    da: async () => (await import("./da.js")).daCommand,
    dashboard: async () => (await import("./dashboard.js")).dashboardCommand,
    ingress: async () => (await import("./ingress.js")).ingressCommand,
    placement: async () => (await import("./placement.js")).placementCommand,
    "price-feeder": async () => (await import("./priceFeeder.js")).priceFeederCommand,
    schedule: async () => (await import("./schedule.js")).scheduleCommand,
    compute: async () => (await import("./computeReceipt.js")).computeCommand,
    replay: async () => (await import("./replay.js")).replayCommand,
    s3: async () => (await import("./s3.js")).s3Command,
    "s3-key": async () => (await import("./s3.js")).s3KeyCommand,
    storage: async () => (await import("./storage.js")).storage,
    vm: async () => (await import("./vm.js")).vmCommand,
    wasm: async () => (await import("./wasm.js")).wasmCommand,
    watcher: async () => (await import("./watcher.js")).watcherCommand,
  },
};

export function main(argv: string[]): Promise<number> {
  return runCli("dsdn-node", dsdnNode, argv);
}
