/** @module Local keystore for file keys: `$DSDN_HOME/keys/` (default `~/.dsdn/keys/`), dir 0700, files 0600. */
import { chmod, mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { BaseError, ErrorCode, InvalidArgumentError } from "../../common/errors.js";
import { bytesEqual, fromHex, toHex } from "../../common/hash.js";
import { KEY_BYTES, keyIdOf } from "./encryption.js";

export const KEY_FILE_FORMAT = "dsdn-file-key/v1";

export function dsdnHome(): string {
  return process.env.DSDN_HOME && process.env.DSDN_HOME !== "" ? process.env.DSDN_HOME : join(homedir(), ".dsdn");
}

/** Creates a directory readable by its owner only, tightening it when it already exists. */
export async function privateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

/** Writes a secret file atomically with mode 0600 (never briefly readable by others). */
export async function writePrivateFile(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

export interface KeyFile {
  readonly format: typeof KEY_FILE_FORMAT;
  readonly keyId: string;
  readonly key: string;
  readonly manifest?: string;
  readonly createdAt: string;
}

export function keyFileText(key: Uint8Array, manifest?: string): string {
  const body: KeyFile = {
    format: KEY_FILE_FORMAT,
    keyId: toHex(keyIdOf(key)),
    key: toHex(key),
    ...(manifest ? { manifest } : {}),
    createdAt: new Date().toISOString(),
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

/** Reads a key file (ours or one `dsdn key recover` wrote) and checks the key matches its id. */
export async function readKeyFile(path: string): Promise<{ key: Uint8Array; keyId: Uint8Array; manifest?: string }> {
  let parsed: Partial<KeyFile>;
  try {
    parsed = JSON.parse(await readFile(path, "utf8"));
  } catch (e) {
    throw new InvalidArgumentError(`cannot read key file ${path}`, { details: (e as Error).message, cause: e });
  }
  if (parsed.format !== KEY_FILE_FORMAT || typeof parsed.key !== "string" || parsed.key.length !== KEY_BYTES * 2) {
    throw new InvalidArgumentError(`${path} is not a DSDN key file (expected format "${KEY_FILE_FORMAT}")`);
  }
  const key = fromHex(parsed.key);
  const keyId = keyIdOf(key);
  if (typeof parsed.keyId === "string" && !bytesEqual(fromHex(parsed.keyId), keyId)) {
    throw new BaseError(ErrorCode.Integrity, `key file ${path} is damaged: its key does not match its key id`);
  }
  return { key, keyId, ...(parsed.manifest ? { manifest: parsed.manifest } : {}) };
}

export class Keystore {
  readonly home: string;
  readonly keysDir: string;

  constructor(home: string = dsdnHome()) {
    this.home = home;
    this.keysDir = join(home, "keys");
  }

  pathFor(keyId: Uint8Array): string {
    return join(this.keysDir, `${toHex(keyId)}.json`);
  }

  /** Stores a file key under its id; returns the file's path. */
  async save(key: Uint8Array, manifest?: string): Promise<string> {
    await privateDir(this.home);
    await privateDir(this.keysDir);
    const path = this.pathFor(keyIdOf(key));
    await writePrivateFile(path, keyFileText(key, manifest));
    return path;
  }

  /** The key with this id, or null when this machine does not hold it. */
  async load(keyId: Uint8Array): Promise<Uint8Array | null> {
    const path = this.pathFor(keyId);
    if (!(await stat(path).catch(() => null))) return null;
    const { key } = await readKeyFile(path);
    if (!bytesEqual(keyIdOf(key), keyId)) {
      throw new BaseError(ErrorCode.Integrity, `keystore file ${path} holds a different key than its name says`);
    }
    return key;
  }
}
