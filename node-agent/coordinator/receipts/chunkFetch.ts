/** @module How a committee member reads a storage node's chunks to check a usage proof: one range, or a whole chunk against its CID. */
import { createHash } from "node:crypto";
import { parseCid } from "../../../common/cid.js";
import { bytesEqual } from "../../../common/hash.js";
import { fetchRetryingStale } from "../../../common/net/staleSocket.js";

export interface ChunkFetcher {
  /** The bytes [offset, offset+length) of a chunk; throws when the node does not serve exactly them. */
  range(endpoint: string, cid: string, offset: number, length: number): Promise<Uint8Array>;
  /** Streams the whole chunk: true when it is `size` bytes hashing to the CID. */
  wholeMatchesCid(endpoint: string, cid: string, size: bigint): Promise<boolean>;
}

export function httpChunkFetcher(timeoutMs = 30_000): ChunkFetcher {
  return {
    async range(endpoint, cid, offset, length) {
      const res = await fetchRetryingStale(new URL(`/chunks/${cid}`, endpoint), () => ({
        headers: { range: `bytes=${offset}-${offset + length - 1}` },
        signal: AbortSignal.timeout(timeoutMs),
      }));
      if (res.status !== 206 && !(res.status === 200 && offset === 0)) {
        await res.body?.cancel();
        throw new Error(`node answered HTTP ${res.status} for a range of ${cid}`);
      }
      const bytes = new Uint8Array(await res.arrayBuffer());
      const out = res.status === 200 ? bytes.subarray(0, length) : bytes;
      if (out.length !== length) throw new Error(`node served ${out.length} of ${length} bytes of ${cid}`);
      return out;
    },
    async wholeMatchesCid(endpoint, cid, size) {
      const res = await fetchRetryingStale(new URL(`/chunks/${cid}`, endpoint), () => ({
        signal: AbortSignal.timeout(timeoutMs),
      }));
      if (res.status !== 200) {
        await res.body?.cancel();
        return false;
      }
      const h = createHash("sha256");
      let n = 0n;
      for await (const piece of res.body as unknown as AsyncIterable<Uint8Array>) {
        n += BigInt(piece.length);
        if (n > size) return false;
        h.update(piece);
      }
      return n === size && bytesEqual(h.digest(), parseCid(cid).digest);
    },
  };
}
