/** @module The coordinator's ed25519 key (its DA publisher identity), kept owner-only in its data directory. */
import { loadOrCreateIdentity, type NodeIdentity } from "../storage/identity.js";

/** `<dataDir>/node-key.json` — the same owner-only key file format storage nodes use. */
export function loadOrCreateCoordinatorKey(dataDir: string): Promise<NodeIdentity> {
  return loadOrCreateIdentity(dataDir);
}
