/** @module `dsdn get`: fetch a file by manifest CID (decrypting with the local keystore or --key-file). */
import { type Command, toJson } from "../../../common/cli.js";
import { InvalidArgumentError } from "../../../common/errors.js";
import { getFile } from "../../agent/get.js";
import { readKeyFile } from "../../agent/keystore.js";
import { createProgress } from "../../agent/progress.js";
import { nodeUrls, positiveInt } from "./shared.js";

export const get: Command = {
  summary: "Fetch a file by its manifest CID, failing over between --node URLs",
  usage: "<manifest-cid> -o <file> --node URL [--node URL…] [--key-file FILE] [--json]",
  options: {
    out: { type: "string", short: "o" },
    node: { type: "string", multiple: true },
    "key-file": { type: "string" },
    concurrency: { type: "string" },
    retries: { type: "string" },
    json: { type: "boolean", default: false },
  },
  async run({ positionals, values, out }) {
    const cid = positionals[0];
    if (!cid || positionals.length > 1) throw new InvalidArgumentError("give exactly one manifest CID");
    if (typeof values.out !== "string") throw new InvalidArgumentError("-o <file> is required");
    const key = typeof values["key-file"] === "string" ? (await readKeyFile(values["key-file"])).key : undefined;
    const concurrency = positiveInt(values, "concurrency");
    const retries = values.retries === undefined ? undefined : Number(values.retries);
    const progress = { bar: null as ReturnType<typeof createProgress> | null };
    const result = await getFile({
      manifest: cid,
      nodes: nodeUrls(values),
      out: values.out,
      ...(key ? { key } : {}),
      ...(concurrency ? { concurrency } : {}),
      ...(retries !== undefined && Number.isInteger(retries) && retries >= 0 ? { retries } : {}),
      onProgress: (done, total) => {
        progress.bar ??= createProgress("get", total);
        progress.bar.update(done);
      },
    });
    progress.bar?.finish();
    if (values.json) {
      out(toJson(result));
      return 0;
    }
    out(`wrote ${result.out} (${result.size} bytes, ${result.chunks} chunks${result.encrypted ? ", decrypted" : ""})`);
    return 0;
  },
};
