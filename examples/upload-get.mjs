// Example: store a file and read it back with progress callbacks (needs a running network: `dsdn dev`).
//   . .dsdn-dev/env && node examples/upload-get.mjs FILE      (or COORDINATOR_URL=http://… node …)
import { connect } from "dsdn/sdk";

const file = process.argv[2];
if (!file) throw new Error("usage: node examples/upload-get.mjs FILE");
const dsdn = await connect({ coordinator: process.env.COORDINATOR_URL ?? process.env.DSDN_COORDINATOR_URL });
const progress = (what) => (done, total) =>
  process.stderr.write(`\r${what} ${Math.round((100 * done) / Math.max(total, 1))}%`);
const up = await dsdn.upload(file, { onProgress: progress("upload") });
const got = await dsdn.get(up.manifest, `${file}.copy`, { onProgress: progress("get") });
process.stderr.write("\n");
console.log(JSON.stringify({ manifest: up.manifest, daHeight: up.daHeight, size: got.size, out: got.out }));
