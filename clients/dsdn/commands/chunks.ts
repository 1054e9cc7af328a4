/** @module `dsdn chunks put`: split a file into chunks and print their CIDs (optionally storing them locally). */
import type { Command, CommandGroup } from "../../../common/cli.js";
import { toJson } from "../../../common/cli.js";
import { InvalidArgumentError } from "../../../common/errors.js";
import { chunkCids, DEFAULT_CHUNK_SIZE } from "../../../node-agent/storage/chunker.js";
import { LocalFsStorage } from "../../../node-agent/storage/localfs.js";
import { MANIFEST_VERSION, manifestCid } from "../../../node-agent/storage/manifest.js";
import type { ChunkRef } from "../../../proto/gen/dsdn/storage/v1/manifest.js";
import { optionalSize } from "./shared.js";

const put: Command = {
  summary: "Print the chunk CIDs of a file and its manifest CID; --data DIR also stores them in a local chunk store",
  usage: "<file> [--chunk-size 16MiB] [--data DIR] [--json]",
  options: {
    "chunk-size": { type: "string" },
    data: { type: "string" },
    json: { type: "boolean", default: false },
  },
  async run({ positionals, values, out }) {
    const file = positionals[0];
    if (!file || positionals.length > 1) throw new InvalidArgumentError("give exactly one file");
    const chunkSize = optionalSize(values, "chunk-size") ?? DEFAULT_CHUNK_SIZE;
    const store = typeof values.data === "string" ? await LocalFsStorage.open(values.data) : null;
    const refs: ChunkRef[] = [];
    let total = 0;
    for await (const c of chunkCids(file, chunkSize)) {
      if (store) await store.putChunk(c.cid, c.bytes);
      refs.push({ cid: c.cid, size: BigInt(c.size), plainSize: BigInt(c.size), shards: [] });
      total += c.size;
      if (!values.json) out(`${c.cid} ${c.size}`);
    }
    const { cid, bytes } = manifestCid({
      version: MANIFEST_VERSION,
      totalSize: BigInt(total),
      chunkSize: BigInt(chunkSize),
      chunks: refs,
      encryption: undefined,
      name: "",
      erasure: undefined,
    });
    if (store) await store.putChunk(cid, bytes);
    if (values.json) {
      out(
        toJson({
          manifest: cid,
          size: total,
          chunkSize,
          chunks: refs.map((r) => ({ cid: r.cid, size: Number(r.size) })),
        }),
      );
    } else {
      out(`manifest ${cid}`);
    }
    return 0;
  },
};

export const chunks: CommandGroup = {
  summary: "Chunk-level tools",
  commands: { put: async () => put },
};
