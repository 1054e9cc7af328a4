/** @module The S3 gateway's master key (derives access-key secrets): 32 random bytes in an owner-only file. */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { privateDir, readSecretFile, writePrivateFile } from "../../common/privateFile.js";

export async function loadOrCreateMasterKey(dataDir: string): Promise<Uint8Array> {
  await privateDir(dataDir);
  const path = join(dataDir, "master.key");
  if (!existsSync(path)) await writePrivateFile(path, `${randomBytes(32).toString("hex")}\n`);
  const hex = readSecretFile(path, "S3 master key");
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`${path} is not a 32-byte hex key`);
  return Buffer.from(hex, "hex");
}
