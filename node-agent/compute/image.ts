/**
 * @module A MicroVM image: a ustar archive unpacked into a fresh directory, strictly — only regular files and
 * directories, no absolute or `..` paths, no links or devices, bounded entry count and unpacked size.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, normalize, sep } from "node:path";
import { BaseError, ErrorCode } from "../../common/errors.js";

export const MAX_IMAGE_ENTRIES = 10_000;
export const MAX_IMAGE_UNPACKED_BYTES = 256 * 1024 * 1024;

const refuse = (why: string) => new BaseError(ErrorCode.InvalidArgument, `image refused: ${why}`);

function field(h: Uint8Array, off: number, len: number): string {
  const b = h.subarray(off, off + len);
  const end = b.indexOf(0);
  return Buffer.from(end < 0 ? b : b.subarray(0, end)).toString("utf8");
}

function octal(h: Uint8Array, off: number, len: number, what: string): number {
  const s = field(h, off, len).trim();
  if (!/^[0-7]{1,12}$/.test(s)) throw refuse(`bad ${what} field`);
  return Number.parseInt(s, 8);
}

/** A safe relative path inside the root, or a refusal naming it. */
function safePath(name: string): string {
  if (name.includes("\0") || name.includes("\\")) throw refuse(`entry "${name}" has a NUL or backslash`);
  const n = normalize(name).replace(/\/+$/, "");
  if (n.startsWith("/") || n === ".." || n.startsWith(`..${sep}`) || name.split("/").includes(".."))
    throw refuse(`entry "${name}" escapes the image root`);
  return n === "." ? "" : n;
}

/** Unpacks `tar` into a new directory under `parent` (default the OS temp dir); returns its path. */
export function unpackImage(tar: Uint8Array, parent = tmpdir()): string {
  const root = mkdtempSync(join(parent, "dsdn-image-"));
  try {
    // The sandbox runs as an unprivileged uid: it must read (never write) the image.
    chmodSync(root, 0o755);
    unpackInto(root, tar);
    return root;
  } catch (e) {
    // A refused image leaves nothing: otherwise each refused job (big files, then one bad entry) kept up to
    // 64 MiB of partial tree on the node's disk.
    rmSync(root, { recursive: true, force: true });
    throw e;
  }
}

function unpackInto(root: string, tar: Uint8Array): void {
  let off = 0;
  let entries = 0;
  let total = 0;
  while (off + 512 <= tar.length) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) return; // end-of-archive block
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
    if (octal(h, 148, 8, "checksum") !== sum) throw refuse("header checksum mismatch");
    if (++entries > MAX_IMAGE_ENTRIES) throw refuse(`more than ${MAX_IMAGE_ENTRIES} entries`);
    const prefix = field(h, 345, 155);
    const name = prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100);
    const size = octal(h, 124, 12, "size");
    const type = String.fromCharCode(h[156]!);
    const mode = octal(h, 100, 8, "mode");
    const rel = safePath(name);
    off += 512;
    if (off + size > tar.length) throw refuse(`entry "${name}" is truncated`);
    if (type === "5") mkdirSync(join(root, rel), { recursive: true, mode: 0o755 });
    else if (type === "0" || type === "\0") {
      total += size;
      if (total > MAX_IMAGE_UNPACKED_BYTES) throw refuse(`unpacks to more than ${MAX_IMAGE_UNPACKED_BYTES} bytes`);
      if (!rel) throw refuse("a file entry with an empty name");
      mkdirSync(join(root, rel, ".."), { recursive: true, mode: 0o755 });
      // Only the execute bits are kept: no setuid/setgid/sticky, group/other never writable.
      writeFileSync(join(root, rel), tar.subarray(off, off + size), { mode: 0o644 | (mode & 0o111), flag: "wx" });
    } else throw refuse(`entry "${name}" is type '${type}': only regular files and directories are allowed`);
    off += Math.ceil(size / 512) * 512;
  }
  throw refuse("no end-of-archive marker");
}
