/** @module `dsdn upload`: store a file on storage nodes, optionally encrypted with Shamir key recovery. */
import { resolve } from "node:path";
import { type Command, toJson } from "../../../common/cli.js";
import { InvalidArgumentError } from "../../../common/errors.js";
import { parseErasure } from "../../../node-agent/storage/erasure/codec.js";
import type { NetworkUploadReturnType } from "../../agent/networkUpload.js";
import { createProgress } from "../../agent/progress.js";
import { parseRecovery } from "../../agent/shamir.js";
import { type UploadReturnType, uploadFile } from "../../agent/upload.js";
import { coordinatorUrl } from "../config.js";
import { keyOptions, nodeUrls, optionalSize, positiveInt, uploaderKeyFrom } from "./shared.js";

export const upload: Command = {
  summary:
    "Upload a file: through the network (coordinator placement, 3 replicas in 3 zones, or --ec k+m Reed–Solomon shards, one node each), or to the --node URLs given; prints its manifest CID",
  usage:
    "<file> [--coordinator URL [--from KEY] [--keyring-dir DIR] [--keyring-backend file|test] [--keyring-passphrase-file F] | --node URL…] [--encrypt] [--ec k+m] [--recovery t/n --shares-out DIR] [--chunk-size 16MiB] [--json]",
  options: {
    node: { type: "string", multiple: true },
    coordinator: { type: "string" },
    ...keyOptions,
    encrypt: { type: "boolean", default: false },
    ec: { type: "string" },
    recovery: { type: "string" },
    "shares-out": { type: "string" },
    "chunk-size": { type: "string" },
    concurrency: { type: "string" },
    retries: { type: "string" },
    json: { type: "boolean", default: false },
  },
  async run({ positionals, values, out, err }) {
    const file = positionals[0];
    if (!file || positionals.length > 1) throw new InvalidArgumentError("give exactly one file to upload");
    let recovery: { threshold: number; total: number; outDir: string } | undefined;
    if (typeof values.recovery === "string") {
      if (typeof values["shares-out"] !== "string") throw new InvalidArgumentError("--recovery needs --shares-out DIR");
      recovery = { ...parseRecovery(values.recovery), outDir: resolve(values["shares-out"]) };
    } else if (values["shares-out"] !== undefined) {
      throw new InvalidArgumentError("--shares-out needs --recovery t/n");
    }
    const chunkSize = optionalSize(values, "chunk-size");
    const concurrency = positiveInt(values, "concurrency");
    const retries = values.retries === undefined ? undefined : Number(values.retries);
    const progress = { bar: null as ReturnType<typeof createProgress> | null };
    // No --node (nor DSDN_NODES): the network path through the coordinator.
    const direct = values.node !== undefined || (process.env.DSDN_NODES ?? "") !== "";
    const common = {
      path: file,
      encrypt: values.encrypt === true,
      ...(typeof values.ec === "string" ? { erasure: parseErasure(values.ec) } : {}),
      ...(recovery ? { recovery } : {}),
      ...(chunkSize ? { chunkSize } : {}),
      ...(concurrency ? { concurrency } : {}),
      ...(retries !== undefined && Number.isInteger(retries) && retries >= 0 ? { retries } : {}),
      onProgress: (done: number, total: number) => {
        progress.bar ??= createProgress("upload", total, { quiet: values.json === true });
        progress.bar.update(done);
      },
    };
    const result: UploadReturnType | NetworkUploadReturnType = direct
      ? await uploadFile({ ...common, nodes: nodeUrls(values) })
      : // The network path's DA/declaration code (and the cosmjs it brings) is loaded only when used (CLI start time).
        await (await import("../../agent/networkUpload.js")).uploadViaCoordinator({
          ...common,
          coordinator: coordinatorUrl(values),
          key: await uploaderKeyFrom(values),
        });
    progress.bar?.finish();
    if (values.json) {
      out(toJson(result));
      return 0;
    }
    out(`manifest ${result.manifest}`);
    out(
      `${result.size} bytes in ${result.chunks} chunks${result.encrypted ? " (encrypted)" : ""}; sent ${result.sent} chunk copies, ${result.skipped} already present`,
    );
    if (!direct) {
      const net = result as NetworkUploadReturnType;
      const replicas = net.placements.map((x) => x.replicas.length);
      out(
        `recorded on DA at height ${net.daHeight}: ${net.placements.length} objects, ${Math.min(...replicas)}–${Math.max(...replicas)} acknowledged replicas each`,
      );
    }
    for (const n of result.nodes)
      out(`node ${n.url} id ${n.nodeId ?? "(no new chunks)"} sent ${n.sent} skipped ${n.skipped}`);
    if (result.keyFile) out(`key ${result.keyId} saved in ${result.keyFile}`);
    for (const f of result.shareFiles ?? []) out(`share ${f}`);
    if (result.shareFiles)
      err(`give each share file to a different holder; any ${recovery?.threshold} rebuild the key`);
    return 0;
  },
};
