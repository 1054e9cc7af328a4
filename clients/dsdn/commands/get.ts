/** @module `dsdn get`: fetch a file by manifest CID (decrypting with the local keystore or --key-file). */
import { abortOnSignal, type Command, toJson } from "../../../common/cli.js";
import { InvalidArgumentError } from "../../../common/errors.js";
import { getFile } from "../../agent/get.js";
import { readKeyFile } from "../../agent/keystore.js";
import { createProgress } from "../../agent/progress.js";
import { coordinatorUrl } from "../config.js";
import { auditCollector, nodeUrls, positiveInt } from "./shared.js";

export const get: Command = {
  summary: "Fetch a file by its manifest CID, failing over between replicas (from the coordinator) or --node URLs",
  usage: "<manifest-cid> -o <file> [--coordinator URL | --node URL…] [--key-file FILE] [--json]",
  options: {
    out: { type: "string", short: "o" },
    node: { type: "string", multiple: true },
    coordinator: { type: "string" },
    "key-file": { type: "string" },
    concurrency: { type: "string" },
    retries: { type: "string" },
    json: { type: "boolean", default: false },
  },
  async run({ positionals, values, out, err, verbose }) {
    const cid = positionals[0];
    if (!cid || positionals.length > 1) throw new InvalidArgumentError("give exactly one manifest CID");
    if (typeof values.out !== "string") throw new InvalidArgumentError("-o <file> is required");
    const key = typeof values["key-file"] === "string" ? (await readKeyFile(values["key-file"])).key : undefined;
    const concurrency = positiveInt(values, "concurrency");
    const retries = values.retries === undefined ? undefined : Number(values.retries);
    const progress = { bar: null as ReturnType<typeof createProgress> | null };
    // Ctrl-C aborts the transfer; getFile then removes its partial (possibly decrypted) output before exiting.
    const interrupt = abortOnSignal();
    const audit = auditCollector(verbose);
    const network =
      values.node !== undefined || (process.env.DSDN_NODES ?? "") !== ""
        ? undefined
        : // Only the coordinator path needs its client (and the cosmjs it brings): loaded on demand.
          await (await import("../../agent/replicas.js")).replicaUrls(coordinatorUrl(values), cid, audit.sink);
    const result = await getFile({
      signal: interrupt.signal,
      manifest: cid,
      nodes: network ? network.urls : nodeUrls(values),
      ...(network ? { holders: network.holders } : {}),
      out: values.out,
      ...(key ? { key } : {}),
      ...(concurrency ? { concurrency } : {}),
      ...(retries !== undefined && Number.isInteger(retries) && retries >= 0 ? { retries } : {}),
      onProgress: (done, total) => {
        progress.bar ??= createProgress("get", total, { quiet: values.json === true });
        progress.bar.update(done);
      },
    })
      .catch((e) => {
        if (!interrupt.signal.aborted) throw e;
        progress.bar?.finish();
        err("interrupted: the partial output was removed");
        return undefined;
      })
      .finally(() => interrupt.dispose());
    if (!result) return 130;
    progress.bar?.finish();
    if (values.json) {
      out(toJson(audit.audit ? { ...result, audit: audit.audit } : result));
      return 0;
    }
    out(`wrote ${result.out} (${result.size} bytes, ${result.chunks} chunks${result.encrypted ? ", decrypted" : ""})`);
    audit.print(out);
    return 0;
  },
};
