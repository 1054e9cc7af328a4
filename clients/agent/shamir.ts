/** @module Key recovery shares: Shamir t-of-n over the file key (audited `shamir-secret-sharing`), as share files. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { combine, split } from "shamir-secret-sharing";
import { BaseError, ErrorCode, InvalidArgumentError } from "../../common/errors.js";
import { bytesEqual, fromHex, toHex } from "../../common/hash.js";
import { ensureDir, writePrivateFile } from "../../common/privateFile.js";
import { keyIdOf } from "./encryption.js";

export const SHARE_FILE_FORMAT = "dsdn-key-share/v1";

export interface ShareFile {
  readonly format: typeof SHARE_FILE_FORMAT;
  readonly keyId: string;
  readonly threshold: number;
  readonly total: number;
  readonly index: number;
  readonly share: string;
  readonly manifest?: string;
}

/** Parses "t/n" (e.g. "2/3"); the library needs 2 ≤ t ≤ n ≤ 255. */
export function parseRecovery(text: string): { threshold: number; total: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const t = m ? Number(m[1]) : Number.NaN;
  const n = m ? Number(m[2]) : Number.NaN;
  if (!m || t < 2 || n < t || n > 255) {
    throw new InvalidArgumentError(`--recovery "${text}": use t/n with 2 ≤ t ≤ n ≤ 255, e.g. 2/3`);
  }
  return { threshold: t, total: n };
}

/** Splits `key` into `total` shares, any `threshold` of which rebuild it. */
export async function splitKey(
  key: Uint8Array,
  threshold: number,
  total: number,
  manifest?: string,
): Promise<ShareFile[]> {
  const shares = await split(key, total, threshold);
  const keyId = toHex(keyIdOf(key));
  return shares.map((s, i) => ({
    format: SHARE_FILE_FORMAT,
    keyId,
    threshold,
    total,
    index: i + 1,
    share: toHex(s),
    ...(manifest ? { manifest } : {}),
  }));
}

/** Writes share files (0600) into `dir`, one per holder; returns their paths. */
export async function writeShareFiles(dir: string, shares: readonly ShareFile[]): Promise<string[]> {
  await ensureDir(dir);
  const paths: string[] = [];
  for (const s of shares) {
    const path = join(dir, `${s.manifest ?? s.keyId.slice(0, 16)}.share-${s.index}-of-${s.total}.json`);
    await writePrivateFile(path, `${JSON.stringify(s, null, 2)}\n`);
    paths.push(path);
  }
  return paths;
}

export async function readShareFile(path: string): Promise<ShareFile> {
  let s: Partial<ShareFile>;
  try {
    s = JSON.parse(await readFile(path, "utf8"));
  } catch (e) {
    throw new InvalidArgumentError(`cannot read share file ${path}`, { details: (e as Error).message, cause: e });
  }
  if (
    s.format !== SHARE_FILE_FORMAT ||
    typeof s.share !== "string" ||
    typeof s.keyId !== "string" ||
    !Number.isInteger(s.threshold) ||
    !Number.isInteger(s.index)
  ) {
    throw new InvalidArgumentError(`${path} is not a DSDN key share file (expected format "${SHARE_FILE_FORMAT}")`);
  }
  return s as ShareFile;
}

/**
 * Rebuilds a key from share files. Refuses fewer than the threshold, shares of different keys and
 * duplicates, and checks the result against the key id — so a bad or short set fails loudly, never
 * yielding a wrong key.
 */
export async function recoverKey(shares: readonly ShareFile[]): Promise<Uint8Array> {
  if (shares.length === 0) throw new InvalidArgumentError("no share files given");
  const first = shares[0]!;
  for (const s of shares) {
    if (s.keyId !== first.keyId)
      throw new InvalidArgumentError(
        `shares belong to different keys (${first.keyId.slice(0, 16)}…, ${s.keyId.slice(0, 16)}…)`,
      );
  }
  const distinct = new Map(shares.map((s) => [s.share, s]));
  if (distinct.size < first.threshold) {
    throw new InvalidArgumentError(
      `not enough shares: this key needs ${first.threshold} of ${first.total} distinct shares, got ${distinct.size}`,
    );
  }
  const key = await combine([...distinct.keys()].map((h) => fromHex(h)));
  if (!bytesEqual(keyIdOf(key), fromHex(first.keyId))) {
    throw new BaseError(
      ErrorCode.Integrity,
      "the shares do not rebuild the key they claim (damaged or mismatched shares)",
    );
  }
  return key;
}
