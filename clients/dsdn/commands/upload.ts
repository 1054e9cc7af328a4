/** @module `dsdn upload`: store a file on storage nodes, optionally encrypted with Shamir key recovery. */
import { resolve } from "node:path";
import { type Command, toJson } from "../../../common/cli.js";
import { InvalidArgumentError } from "../../../common/errors.js";
import { createProgress } from "../../agent/progress.js";
import { parseRecovery } from "../../agent/shamir.js";
import { uploadFile } from "../../agent/upload.js";
import { nodeUrls, optionalSize, positiveInt } from "./shared.js";

export const upload: Command = {
  summary: "Upload a file to storage nodes (each chunk to every --node); prints its manifest CID",
  usage: "<file> --node URL [--node URL…] [--encrypt] [--recovery t/n --shares-out DIR] [--chunk-size 16MiB] [--json]",
  options: {
    node: { type: "string", multiple: true },
    encrypt: { type: "boolean", default: false },
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
    const result = await uploadFile({
      path: file,
      nodes: nodeUrls(values),
      encrypt: values.encrypt === true,
      ...(recovery ? { recovery } : {}),
      ...(chunkSize ? { chunkSize } : {}),
      ...(concurrency ? { concurrency } : {}),
      ...(retries !== undefined && Number.isInteger(retries) && retries >= 0 ? { retries } : {}),
      onProgress: (done, total) => {
        progress.bar ??= createProgress("upload", total);
        progress.bar.update(done);
      },
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
    for (const n of result.nodes)
      out(`node ${n.url} id ${n.nodeId ?? "(no new chunks)"} sent ${n.sent} skipped ${n.skipped}`);
    if (result.keyFile) out(`key ${result.keyId} saved in ${result.keyFile}`);
    for (const f of result.shareFiles ?? []) out(`share ${f}`);
    if (result.shareFiles)
      err(`give each share file to a different holder; any ${recovery?.threshold} rebuild the key`);
    return 0;
  },
};
