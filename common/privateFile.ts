/** @module Owner-only files: durable atomic writes (fsync file, rename, fsync directory) and permission checks on load. */
import { readFileSync, type Stats, statSync } from "node:fs";
import { chmod, mkdir, open, stat } from "node:fs/promises";
import { writeFileAtomicSync } from "./atomicFile.js";
import { BaseError, ErrorCode } from "./errors.js";

/** Creates a directory readable by its owner only, tightening it when it already exists (our own dirs only). */
export async function privateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

/** Creates `dir` owner-only when missing; an existing directory is used as it is (its mode is the user's choice). */
export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

/** fsync a directory so a rename inside it survives a crash (best effort where directories cannot be opened). */
export async function fsyncDir(dir: string): Promise<void> {
  const h = await open(dir, "r").catch(() => undefined);
  if (!h) return;
  try {
    await h.sync().catch(() => {});
  } finally {
    await h.close();
  }
}

/**
 * Writes a secret file atomically and durably, owner-only from creation (common/atomicFile): a crash
 * leaves the old file or the new one, never a torn or empty one, and never one briefly readable by others.
 */
export async function writePrivateFile(path: string, data: string | Uint8Array): Promise<void> {
  writeFileAtomicSync(path, data, { mode: 0o600 });
}

/**
 * Refuses a secret file (or its directory) that others can read or write, or that another user owns:
 * a key readable by the group is already leaked, and one writable by others could have been swapped.
 */
export async function checkPrivate(path: string, what: string): Promise<void> {
  assertPrivate(await stat(path), path, what);
}

function assertPrivate(st: Stats, path: string, what: string): void {
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid)
    throw new BaseError(ErrorCode.Unauthorized, `${what} ${path} belongs to another user (uid ${st.uid})`);
  if ((st.mode & 0o077) !== 0) {
    const fix = st.isDirectory() ? "chmod 700" : "chmod 600";
    throw new BaseError(
      ErrorCode.Unauthorized,
      `${what} ${path} is accessible by other users (mode ${(st.mode & 0o777).toString(8)}); refusing to use it`,
      { details: `Run: ${fix} ${path} — and treat the secret as exposed if others could read it.` },
    );
  }
}

/**
 * Reads a secret from a file (a token, a passphrase): the file must be owner-only; surrounding whitespace
 * is dropped and an empty file is refused. Secrets come from files or the environment, never argv.
 */
export function readSecretFile(path: string, what: string): string {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    throw new BaseError(ErrorCode.InvalidArgument, `cannot read ${what} file ${path}`, { cause: e });
  }
  assertPrivate(st, path, `${what} file`);
  const text = readFileSync(path, "utf8").trim();
  if (text === "") throw new BaseError(ErrorCode.InvalidArgument, `${what} file ${path} is empty`);
  return text;
}
