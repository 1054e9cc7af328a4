/**
 * @module Preloaded (`--import`, allowed in NODE_OPTIONS where `--cpu-prof` is not) into the localnet's node processes:
 * profiles `dsdnd start` with the inspector and writes DSDN_CPU_PROF_DIR/<pid>.cpuprofile when SIGTERM ends it.
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { join } from "node:path";

const dir = process.env.DSDN_CPU_PROF_DIR;
if (dir && process.argv.some((a) => a.endsWith("dsdnd.js")) && process.argv.includes("start")) {
  const session = new Session();
  session.connect();
  session.post("Profiler.enable", () => session.post("Profiler.start"));
  process.once("SIGTERM", () => {
    session.post("Profiler.stop", (err, res) => {
      if (!err) writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(res.profile));
      process.exit(0);
    });
  });
}
