/** @module Where the S3 gateway keeps object bytes: DSDN files, through the agent's public upload/get pipeline. */
import { getFile } from "../../clients/agent/get.js";
import type { Keystore } from "../../clients/agent/keystore.js";
import { uploadViaCoordinator } from "../../clients/agent/networkUpload.js";
import { uploadFile } from "../../clients/agent/upload.js";
import type { UploaderKey } from "../../clients/agent/uploaderKey.js";
import { DeleteRequested } from "../../proto/gen/dsdn/da/v1/events.js";
import { CoordinatorClient } from "../coordinator/client.js";
import { signDeleteRequest } from "../da/events/bindings.js";
import type { ByteRange } from "../storage/storage.js";

export interface StoredFile {
  readonly manifest: string;
  readonly size: number;
}

export interface ObjectStore {
  /** Stores the file at `path` as a DSDN file (encrypted client-side when asked); returns its manifest CID. */
  put(path: string, encrypt: boolean): Promise<StoredFile>;
  /**
   * Writes the file `manifest` names, verified (and decrypted), to `out` — or only the bytes of `range`
   * (inclusive), reading just the chunks that overlap it.
   */
  get(manifest: string, out: string, range?: ByteRange): Promise<void>;
  /** Drops this gateway's pin on `manifest` (the data goes once no owner pins it). */
  unpin(manifest: string): Promise<void>;
}

export interface NetworkStoreOptions {
  readonly coordinator: string;
  /** The gateway's chain account: it signs upload declarations and owns the pins. */
  readonly key: UploaderKey;
  /** Holds the file keys of encrypted buckets' objects. */
  readonly keystore: Keystore;
  readonly chunkSize?: number;
}

/** Uploads through the coordinator's placement; reads from the Active nodes the coordinator lists. */
export function networkStore(o: NetworkStoreOptions): ObjectStore {
  const coordinator = new CoordinatorClient(o.coordinator);
  return {
    async put(path, encrypt) {
      const r = await uploadViaCoordinator({
        path,
        coordinator: o.coordinator,
        key: o.key,
        encrypt,
        keystore: o.keystore,
        ...(o.chunkSize ? { chunkSize: o.chunkSize } : {}),
      });
      return { manifest: r.manifest, size: r.size };
    },
    async get(manifest, out, range) {
      const { nodes } = await coordinator.nodes();
      const urls = nodes.filter((n) => n.status === "active").map((n) => n.endpoint);
      await getFile({ manifest, nodes: urls, out, keystore: o.keystore, ...(range ? { range } : {}) });
    },
    async unpin(manifest) {
      const head = BigInt((await coordinator.health()).daHeight);
      const req = signDeleteRequest(manifest, head, {
        kind: "account",
        secretKey: o.key.secretKey,
        publicKey: o.key.publicKey,
      });
      await coordinator.requestDelete(Buffer.from(DeleteRequested.encode(req).finish()).toString("base64"));
    },
  };
}

/**
 * Every chunk to every node listed, no coordinator and no DA declaration (so no pins to drop): a single
 * operator's own nodes, and the gateway's tests.
 */
export function directStore(nodes: readonly string[], keystore: Keystore, chunkSize?: number): ObjectStore {
  return {
    async put(path, encrypt) {
      const r = await uploadFile({ path, nodes, encrypt, keystore, ...(chunkSize ? { chunkSize } : {}) });
      return { manifest: r.manifest, size: r.size };
    },
    async get(manifest, out, range) {
      await getFile({ manifest, nodes, out, keystore, ...(range ? { range } : {}) });
    },
    async unpin() {},
  };
}
