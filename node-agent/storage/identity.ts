/** @module A storage node's ed25519 identity key, kept in its data directory with owner-only permissions. */
import { chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Ed25519KeyPair, ed25519KeyPair } from "../../common/ed25519.js";
import { BaseError, ErrorCode } from "../../common/errors.js";
import { fromHex, toHex } from "../../common/hash.js";

export const IDENTITY_FILE = "node-key.json";

export interface NodeIdentity extends Ed25519KeyPair {
  /** Hex of the public key: how clients and acks name the node. */
  readonly nodeId: string;
}

/** Loads `<dataDir>/node-key.json`, creating it (mode 0600) on first start. Refuses a key others can read. */
export async function loadOrCreateIdentity(dataDir: string): Promise<NodeIdentity> {
  await mkdir(dataDir, { recursive: true });
  const file = join(dataDir, IDENTITY_FILE);
  const st = await stat(file).catch(() => null);
  if (!st) {
    const kp = ed25519KeyPair();
    const body = JSON.stringify({ type: "ed25519", publicKey: toHex(kp.publicKey), seed: toHex(kp.secretKey) });
    await writeFile(file, `${body}\n`, { mode: 0o600, flag: "wx" });
    await chmod(file, 0o600); // the umask may have narrowed the mode; make it exact
    return { ...kp, nodeId: toHex(kp.publicKey) };
  }
  if ((st.mode & 0o077) !== 0) {
    throw new BaseError(ErrorCode.InvalidConfig, `node key ${file} is readable by other users`, {
      details: `run: chmod 600 ${file}`,
    });
  }
  let parsed: { type?: string; seed?: string };
  try {
    parsed = JSON.parse(await readFile(file, "utf8"));
  } catch (e) {
    throw new BaseError(ErrorCode.InvalidConfig, `node key ${file} is not valid JSON`, { cause: e });
  }
  if (parsed.type !== "ed25519" || typeof parsed.seed !== "string" || parsed.seed.length !== 64) {
    throw new BaseError(ErrorCode.InvalidConfig, `node key ${file} must hold {"type":"ed25519","seed":<64 hex>}`);
  }
  const kp = ed25519KeyPair(fromHex(parsed.seed));
  return { ...kp, nodeId: toHex(kp.publicKey) };
}
