/**
 * @module `dsdn deploy`: one command from a directory (dsdn.yaml) or a module.wasm to a scheduled job — dry run
 * and classification, upload of module and input as content-addressed objects, a workload signed by the user's
 * key, submitted to the coordinator. Progress per stage on a TTY; `--json` prints one object with `jobId`.
 * A `type: static` project instead publishes its `publish` directory as a signed site and prints its ingress URL.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Command, type CommandContext, toJson } from "../../../common/cli.js";
import { sha256 } from "../../../common/hash.js";
import { type Classification, classify } from "../../../node-agent/compute/classify.js";
import { type ResolvedWorkloadSpec, resolveIntent } from "../../../node-agent/compute/resolve.js";
import { buildWorkloadSpec, signSubmission } from "../../../node-agent/compute/workload.js";
import type { AuditSink } from "../../../node-agent/http/disclosedClient.js";
import { WorkloadSubmission } from "../../../proto/gen/dsdn/compute/v1/workload.js";
import { ComputeClient } from "../../agent/computeClient.js";
import { imageByCid, networkImageFetch } from "../../agent/imageByCid.js";
import { uploadViaCoordinator } from "../../agent/networkUpload.js";
import { publishSite } from "../../agent/publishSite.js";
import { loadMicroVMWorkload, loadWorkload, readIntent } from "../../agent/workloadFiles.js";
import { coordinatorUrl, loadDsdnConfig } from "../config.js";
import { auditCollector, keyOptions, uploaderKeyFrom } from "./shared.js";

export const deploy: Command = {
  summary: "Deploy a workload: dry run, upload module + input, sign and submit; prints the job id",
  usage:
    "[DIR | module.wasm] [--input FILE] [--type batch|web_app|ai] [--replicas N] [--wait] [--coordinator URL] [--ingress URL] [--from KEY …] [--json]",
  options: {
    input: { type: "string" },
    type: { type: "string" },
    replicas: { type: "string" },
    wait: { type: "boolean", default: false },
    "wait-timeout-ms": { type: "string" },
    coordinator: { type: "string" },
    ingress: { type: "string" },
    ...keyOptions,
    json: { type: "boolean", default: false },
  },
  async run({ positionals, values, out, err, verbose }) {
    const quiet = values.json === true;
    const stage = (s: string) => {
      if (!quiet) err(`» ${s}`);
    };
    const coordinator = coordinatorUrl(values);
    const target = readIntent(positionals[0] ?? ".");
    if (target.intent.type === "static") {
      stage(`publish ${target.intent.publish} (${target.intentSource})`);
      const key = await uploaderKeyFrom(values);
      const site = await publishSite({
        dir: resolve(target.base, target.intent.publish!),
        coordinator,
        key,
        onFile: (path, cid) => stage(`uploaded ${path} → ${cid}`),
      });
      const ingress = (typeof values.ingress === "string" ? values.ingress : loadDsdnConfig().ingress)?.replace(
        /\/+$/,
        "",
      );
      const url = ingress ? `${ingress}/site/${site.siteCid}/` : null;
      stage(`site manifest signed by ${key.address}`);
      if (quiet) out(toJson({ siteCid: site.siteCid, url, owner: key.address, files: site.files }));
      else {
        out(`site ${site.siteCid} (${site.files.length} files)`);
        out(url ? `served at ${url}` : `served at <ingress>/site/${site.siteCid}/ (no ingress configured)`);
      }
      return 0;
    }
    const audit = auditCollector(verbose);
    const { result, status } = await deployBatch(positionals[0] ?? ".", values, stage, audit.sink);
    const { state } = result;
    if (quiet) {
      out(toJson(audit.audit ? { ...result, audit: audit.audit } : result));
      return state === "failed" ? 1 : 0;
    }
    out(`job ${result.jobId}${result.existing ? " (already deployed: same workload)" : ""}`);
    out(`scheduled on ${result.nodes.map((n) => `${n.slice(0, 16)}…`).join(", ")} (DA height ${result.daHeight})`);
    if (values.wait) out(`state ${state}${status?.reason ? `: ${status.reason}` : ""}`);
    out(`follow it: dsdn job status ${result.jobId}`);
    audit.print(out);
    return state === "failed" ? 1 : 0;
  },
};

/** What is submitted: the module (or image tar) and input bytes, their files, and the module's CID when already uploaded. */
interface Workload {
  readonly module: Uint8Array;
  readonly modulePath: string;
  readonly moduleCid?: string;
  readonly input: Uint8Array;
  readonly inputPath: string | null;
}

/**
 * Dry run (or, MicroVM, pack the image), upload, sign and submit the workload at `target` (a directory or
 * module.wasm); with `values.wait`, polls the coordinator until it completes or fails. Shared by `dsdn deploy` and
 * `dsdn exec`; prints nothing but the stages.
 */
export async function deployBatch(
  target: string,
  values: CommandContext["values"],
  stage: (s: string) => void,
  audit?: AuditSink,
) {
  const coordinator = coordinatorUrl(values);
  const client = new ComputeClient(coordinator, { ...(audit ? { audit } : {}) });
  const intent = readIntent(target);
  const microvm = intent.intent.runtime === "microvm";
  // A microvm image directory is packed into a deterministic tar (written 0600 to a private temp dir to upload).
  const tmp = microvm ? mkdtempSync(join(tmpdir(), "dsdn-deploy-")) : undefined;
  try {
    let w: Workload;
    let cls: Classification | undefined;
    let spec: ResolvedWorkloadSpec;
    if (microvm) {
      const m = loadMicroVMWorkload(target, {
        ...(typeof values.input === "string" ? { input: values.input } : {}),
      });
      if ("cid" in m.image) {
        stage(`read image ${m.image.cid} (${m.intentSource})`);
        const tar = await imageByCid(m.image.cid, tmp!, networkImageFetch(coordinator));
        // Already uploaded: the spec names it as it is (never uploaded again); a node fetches it by this CID.
        w = { module: tar, modulePath: "", moduleCid: m.image.cid, input: m.input, inputPath: m.inputPath };
      } else {
        stage(`pack image ${m.image.dir} (${m.image.tar.length} bytes, ${m.intentSource})`);
        const modulePath = join(tmp!, "image.tar");
        writeFileSync(modulePath, m.image.tar, { mode: 0o600 });
        w = { module: m.image.tar, modulePath, input: m.input, inputPath: m.inputPath };
      }
      // No dry run: a MicroVM command is not metered; its limits are the intent's (or the defaults).
      spec = resolveIntent(m.intent);
    } else {
      const wl = loadWorkload(target, {
        ...(typeof values.input === "string" ? { input: values.input } : {}),
        ...(typeof values.type === "string" ? { type: values.type } : {}),
        ...(typeof values.replicas === "string" ? { replicas: values.replicas } : {}),
      });
      stage(`dry run (${wl.intentSource})`);
      cls = await classify(wl.module, wl.input);
      spec = resolveIntent(wl.intent, cls);
      w = wl;
    }
    return await submitAndFollow({ client, coordinator, values, stage, w, cls, spec, microvm });
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

async function submitAndFollow(a: {
  client: ComputeClient;
  coordinator: string;
  values: Record<string, unknown>;
  stage: (s: string) => void;
  w: Workload;
  cls: Classification | undefined;
  spec: ResolvedWorkloadSpec;
  microvm: boolean;
}) {
  const { client, coordinator, values, stage, w, cls, spec } = a;
  const key = await uploaderKeyFrom(values);
  const { chainId } = await client.info();
  const upload = async (path: string, what: string) => {
    stage(`upload ${what}`);
    // Owned by the submitter: its key signs the upload declaration (its pin on the object).
    return (await uploadViaCoordinator({ path, encrypt: false, coordinator, key })).manifest;
  };
  const moduleCid = w.moduleCid ?? (await upload(w.modulePath, a.microvm ? "image" : "module"));
  const inputCid = w.inputPath && w.input.length > 0 ? await upload(w.inputPath, "input") : "";
  stage("sign and submit the workload");
  const ws = buildWorkloadSpec(spec, {
    chainId,
    submitter: key.address,
    moduleCid,
    inputCid,
    moduleSize: w.module.length,
    inputSize: inputCid ? w.input.length : 0,
    moduleHash: sha256(w.module),
    inputHash: sha256(inputCid ? w.input : new Uint8Array(0)),
  });
  const sub = await client.submit(WorkloadSubmission.encode(signSubmission(ws, key)).finish());
  stage(
    `scheduled on ${sub.nodes.length} node(s) at DA height ${sub.daHeight}${sub.existing ? " (already deployed)" : ""}`,
  );
  let state = "pending";
  let status: Awaited<ReturnType<ComputeClient["status"]>> | undefined;
  if (values.wait) {
    const deadline = Date.now() + Number(values["wait-timeout-ms"] ?? 300_000);
    for (;;) {
      status = await client.status(sub.jobId);
      // One line per state change: pending → running → completed | failed.
      if (status.state !== state)
        stage(
          status.state === "running"
            ? `running on ${sub.nodes.length} node(s)`
            : status.state === "completed"
              ? `completed: output ${status.outputCid}`
              : status.state === "failed"
                ? `failed: ${status.reason ?? "unknown reason"}`
                : status.state,
        );
      state = status.state;
      if (state === "completed" || state === "failed" || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  const result = {
    jobId: sub.jobId,
    nodes: sub.nodes,
    daHeight: sub.daHeight,
    existing: sub.existing,
    moduleCid,
    inputCid,
    runtime: spec.runtime.value,
    class: cls?.class ?? null,
    priceEstimateNanoUsd: cls ? (BigInt(cls.priceNanoUsdPerReplica) * BigInt(spec.replicas.value)).toString() : null,
    state,
    ...(status ? { executionCommitment: status.executionCommitment, outputCid: status.outputCid } : {}),
  };
  return { result, status, client, key };
}
