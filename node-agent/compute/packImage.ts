/**
 * @module A MicroVM image directory packed into a deterministic ustar archive — exactly what `unpackImage` accepts:
 * sorted entries, regular files and directories only (symlinks, devices, FIFOs and sockets refused by name), mode
 * 0644/0755 by the owner's execute bit, uid/gid 0, no user names, mtime 0; bounded before a byte is read.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync } from "node:fs";
import { join } from "node:path";
import { BaseError, ErrorCode } from "../../common/errors.js";
import { MAX_IMAGE_ENTRIES } from "./image.js";

/** The largest image tar: the WorkloadSpec's `module_size` bound (the unpacked size follows from it). */
export const MAX_IMAGE_TAR_BYTES = 64 * 1024 * 1024;

const BLOCK = 512;

const refuse = (dir: string, why: string, code: ErrorCode = ErrorCode.InvalidArgument) =>
  new BaseError(code, `image ${dir} refused: ${why}`);

interface Entry {
  readonly rel: string;
  readonly abs: string;
  readonly dir: boolean;
  readonly size: number;
  readonly exec: boolean;
}

/** Every entry under `root`, sorted by path (so a parent comes before its children), checked and bounded. */
function walk(root: string): Entry[] {
  const out: Entry[] = [];
  let total = 2 * BLOCK;
  const visit = (relDir: string) => {
    for (const name of readdirSync(join(root, relDir)).sort()) {
      const rel = relDir ? `${relDir}/${name}` : name;
      const abs = join(root, rel);
      const st = lstatSync(abs);
      if (st.isSymbolicLink()) throw refuse(root, `"${rel}" is a symbolic link (only files and directories)`);
      if (!st.isFile() && !st.isDirectory())
        throw refuse(root, `"${rel}" is a device, FIFO or socket (only files and directories)`);
      if (out.length + 1 > MAX_IMAGE_ENTRIES) throw refuse(root, `more than ${MAX_IMAGE_ENTRIES} entries`);
      total += BLOCK + (st.isFile() ? Math.ceil(st.size / BLOCK) * BLOCK : 0);
      if (total > MAX_IMAGE_TAR_BYTES)
        throw refuse(root, `packs to more than ${MAX_IMAGE_TAR_BYTES} bytes (at "${rel}")`, ErrorCode.TooLarge);
      out.push({ rel, abs, dir: st.isDirectory(), size: st.isFile() ? st.size : 0, exec: (st.mode & 0o100) !== 0 });
      if (st.isDirectory()) visit(rel);
    }
  };
  visit("");
  // Sorted by whole path (UTF-16 order is deterministic): the walk's order differs when names share a prefix.
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

/** Splits a path into ustar (prefix, name): name ≤ 100 bytes, prefix ≤ 155, split at a '/'. */
function splitName(root: string, path: string): [string, string] {
  if (Buffer.byteLength(path) <= 100) return ["", path];
  for (let i = path.lastIndexOf("/"); i > 0; i = path.lastIndexOf("/", i - 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(name) > 100) break;
    if (Buffer.byteLength(prefix) <= 155) return [prefix, name];
  }
  throw refuse(root, `the path "${path}" is too long for a ustar header`);
}

function header(root: string, e: Entry): Buffer {
  const h = Buffer.alloc(BLOCK);
  const [prefix, name] = splitName(root, e.dir ? `${e.rel}/` : e.rel);
  const octal = (v: number, off: number, digits: number) =>
    h.write(`${v.toString(8).padStart(digits, "0")}\0`, off, "ascii");
  h.write(name, 0, 100, "utf8");
  octal(e.dir || e.exec ? 0o755 : 0o644, 100, 7);
  octal(0, 108, 7); // uid
  octal(0, 116, 7); // gid
  octal(e.size, 124, 11);
  octal(0, 136, 11); // mtime
  h.write(e.dir ? "5" : "0", 156, "ascii");
  h.write("ustar\0", 257, "ascii");
  h.write("00", 263, "ascii");
  h.write(prefix, 345, 155, "utf8");
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
  return h;
}

/** Packs the directory `root` into a deterministic ustar archive (the same bytes for the same tree, anywhere). */
export function packImage(root: string): Uint8Array {
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(root);
  } catch {
    throw refuse(root, "no such directory", ErrorCode.NotFound);
  }
  if (!st.isDirectory()) throw refuse(root, "not a directory (a symbolic link to one is not followed either)");
  const entries = walk(root);
  const size = entries.reduce((n, e) => n + BLOCK + Math.ceil(e.size / BLOCK) * BLOCK, 2 * BLOCK);
  const tar = Buffer.alloc(size);
  let off = 0;
  for (const e of entries) {
    header(root, e).copy(tar, off);
    off += BLOCK;
    if (e.dir) continue;
    // Read exactly the size the header says; a file that changed since the walk is refused, never half-packed.
    // O_NOFOLLOW: a file swapped for a symbolic link since the walk is refused, not followed out of the image.
    let fd: number;
    try {
      fd = openSync(e.abs, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (err) {
      throw new BaseError(ErrorCode.InvalidArgument, `image ${root} refused: cannot read "${e.rel}"`, { cause: err });
    }
    try {
      if (!fstatSync(fd).isFile() || fstatSync(fd).size !== e.size)
        throw refuse(root, `"${e.rel}" changed while it was being packed`);
      let got = 0;
      while (got < e.size) {
        const n = readSync(fd, tar, off + got, e.size - got, got);
        if (n === 0) throw refuse(root, `"${e.rel}" changed while it was being packed`);
        got += n;
      }
    } finally {
      closeSync(fd);
    }
    off += Math.ceil(e.size / BLOCK) * BLOCK;
  }
  return new Uint8Array(tar.buffer, tar.byteOffset, tar.length);
}
