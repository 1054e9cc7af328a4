/** @module `dsdn-node s3`: the S3-compatible gateway; `dsdn-node s3-key`: bind an access key to an account (signed by it). */
import { resolve } from "node:path";
import { Keystore } from "../../clients/agent/keystore.js";
import { loadUploaderKey } from "../../clients/agent/uploaderKey.js";
import type { Command } from "../../common/cli.js";
import { untilSignal } from "../../common/cli.js";
import { InvalidArgumentError } from "../../common/errors.js";
import { writePrivateFile } from "../../common/privateFile.js";
import { namespaceFromName } from "../da/commitment/namespace.js";
import { createDALayer, daCliOptions, daOptionsFromCli } from "../da/replay/createDALayer.js";
import { signKeyRequest } from "../s3/accessKeys.js";
import { createS3Gateway } from "../s3/gateway.js";
import { S3Ledger } from "../s3/ledger.js";
import { loadOrCreateMasterKey } from "../s3/masterKey.js";
import { networkStore } from "../s3/objectStore.js";
import { S3Index } from "../s3/s3Index.js";
import { parseSize } from "../storage/chunker.js";

/** The DA namespace the S3 index lives in unless --namespace says otherwise. */
export const S3_NAMESPACE_HEX = Buffer.from(namespaceFromName("dsdn-s3")).toString("hex");

const keyOptions = {
  from: { type: "string" },
  "keyring-dir": { type: "string" },
  "passphrase-file": { type: "string" },
} as const;

const uploaderKey = (v: Record<string, unknown>) =>
  loadUploaderKey({
    ...(typeof v.from === "string" ? { from: v.from } : {}),
    ...(typeof v["keyring-dir"] === "string" ? { keyringDir: resolve(v["keyring-dir"]) } : {}),
    ...(typeof v["passphrase-file"] === "string" ? { passphraseFile: v["passphrase-file"] } : {}),
  });

export const s3Command: Command = {
  summary: "Run the S3-compatible gateway: buckets of DSDN files, AWS SigV4, its key → manifest index on DA",
  usage:
    "--data DIR --coordinator URL [--port 7600] [--host 127.0.0.1] [--region us-east-1] [--from KEY] [--keyring-dir DIR] [--passphrase-file F] [--trust-gateway ADDR]... [--chunk-size 16MiB] [--da URL] [--token-file FILE (write)] [--namespace HEX]",
  options: {
    data: { type: "string" },
    coordinator: { type: "string" },
    port: { type: "string", default: "7600" },
    host: { type: "string", default: "127.0.0.1" },
    region: { type: "string", default: "us-east-1" },
    "trust-gateway": { type: "string", multiple: true },
    "chunk-size": { type: "string" },
    ...keyOptions,
    ...daCliOptions,
  },
  async run({ values: v, out }) {
    const port = Number(v.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new InvalidArgumentError(`--port must be 0–65535, got "${v.port}"`);
    if (typeof v.data !== "string") throw new InvalidArgumentError("--data DIR is required");
    const coordinator = typeof v.coordinator === "string" ? v.coordinator : process.env.DSDN_COORDINATOR_URL;
    if (!coordinator) throw new InvalidArgumentError("--coordinator URL (or DSDN_COORDINATOR_URL) is required");
    const dataDir = resolve(v.data);
    const account = await uploaderKey(v);
    const masterKey = await loadOrCreateMasterKey(dataDir);
    const da = await createDALayer({
      ...daOptionsFromCli(v),
      namespace: typeof v.namespace === "string" ? v.namespace : S3_NAMESPACE_HEX,
    });
    const trusted = new Set([account.address, ...((v["trust-gateway"] as string[] | undefined) ?? [])]);
    // Restarts resume from the index checkpoint and replay only the DA heights after it.
    const ledger = new S3Ledger(da, new S3Index(trusted), {
      path: resolve(dataDir, "index-checkpoint.json"),
      log: (l) => process.stderr.write(`${l}\n`),
    });
    await ledger.sync();
    ledger.start((e) => process.stderr.write(`s3 ledger: ${(e as Error).message}\n`));
    const app = createS3Gateway({
      ledger,
      store: networkStore({
        coordinator,
        key: account,
        keystore: new Keystore(resolve(dataDir, "home")),
        ...(typeof v["chunk-size"] === "string" ? { chunkSize: parseSize(v["chunk-size"], "--chunk-size") } : {}),
      }),
      account,
      masterKey,
      dataDir,
      region: String(v.region),
    });
    const address = await app.listen({ port, host: String(v.host) });
    out(`dsdn-node s3 listening on ${address} (gateway account ${account.address}, DA height ${ledger.daHeight})`);
    await untilSignal();
    await app.close();
    await ledger.stop();
    await da.close();
    out("dsdn-node s3 stopped");
    return 0;
  },
};

export const s3KeyCommand: Command = {
  summary:
    "Bind a new S3 access key to your account (ADR-036-signed by it) and write the credentials to an owner-only file",
  usage: "--gateway URL --out FILE [--from KEY] [--keyring-dir DIR] [--passphrase-file F]",
  options: { gateway: { type: "string" }, out: { type: "string" }, ...keyOptions },
  async run({ values: v, out }) {
    if (typeof v.gateway !== "string" || typeof v.out !== "string")
      throw new InvalidArgumentError("--gateway URL and --out FILE are required (the secret is never printed)");
    const key = await uploaderKey(v);
    const gw = v.gateway.replace(/\/$/, "");
    const health = (await (await fetch(`${gw}/_dsdn/health`)).json()) as { gateway: string };
    const res = await fetch(`${gw}/_dsdn/keys`, {
      method: "POST",
      body: JSON.stringify(signKeyRequest(key, health.gateway)),
    });
    const text = await res.text();
    if (!res.ok)
      throw new InvalidArgumentError(`the gateway refused the binding (HTTP ${res.status})`, {
        details: text.slice(0, 500),
      });
    const creds = JSON.parse(text) as { accessKeyId: string; secretAccessKey: string; account: string };
    await writePrivateFile(resolve(v.out), `${JSON.stringify(creds, null, 2)}\n`);
    out(`access key ${creds.accessKeyId} bound to ${creds.account}; credentials in ${resolve(v.out)} (mode 600)`);
    return 0;
  },
};
