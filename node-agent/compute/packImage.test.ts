/** The CLI's image packing against the node's strict unpacking: round trip, determinism, refusals that name the file. */
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sha256, toHex } from "../../common/hash.js";
import { MAX_IMAGE_ENTRIES, unpackImage } from "./image.js";
import { MAX_IMAGE_TAR_BYTES, packImage } from "./packImage.js";

const parent = mkdtempSync(join(tmpdir(), "dsdn-pack-test-"));
afterAll(() => rmSync(parent, { recursive: true, force: true }));
let n = 0;
const fresh = () => {
  const d = join(parent, `img-${n++}`);
  mkdirSync(d);
  return d;
};

const LONG = `${"d".repeat(60)}/${"e".repeat(60)}/${"f".repeat(90)}.txt`;
/** A tree with nesting, an executable, an empty file and a non-ASCII name, and a path longer than 100 bytes. */
function sampleTree(d: string, order: "forward" | "reverse" = "forward"): void {
  const files: [string, string, number][] = [
    ["bin/run.sh", "#!/bin/sh\nwc -c\n", 0o755],
    ["data/empty", "", 0o644],
    ["data/ünïcode.txt", "héllo", 0o600],
    ["a-b", "x".repeat(1000), 0o644],
    [LONG, "long", 0o644],
  ];
  for (const [p, text, mode] of order === "forward" ? files : [...files].reverse()) {
    mkdirSync(join(d, p, ".."), { recursive: true });
    writeFileSync(join(d, p), text);
    chmodSync(join(d, p), mode);
  }
  mkdirSync(join(d, "empty-dir"));
}

function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const st = statSync(p);
      const rel = relative(root, p);
      if (st.isDirectory()) {
        out[`${rel}/`] = (st.mode & 0o777).toString(8);
        visit(p);
      } else out[rel] = `${(st.mode & 0o777).toString(8)} ${readFileSync(p, "utf8")}`;
    }
  };
  visit(root);
  return out;
}

const errorOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return "(no error)";
};

describe("packImage ↔ unpackImage", () => {
  it("round-trips: the node unpacks exactly the CLI's tree (files, contents, execute bits, long paths)", () => {
    const d = fresh();
    sampleTree(d);
    const out = unpackImage(packImage(d), parent);
    expect(tree(out)).toEqual({
      "a-b": `644 ${"x".repeat(1000)}`,
      "bin/": "755",
      "bin/run.sh": "755 #!/bin/sh\nwc -c\n",
      "data/": "755",
      "data/empty": "644 ",
      "data/ünïcode.txt": "644 héllo",
      [`${"d".repeat(60)}/`]: "755",
      [`${"d".repeat(60)}/${"e".repeat(60)}/`]: "755",
      [LONG]: "644 long",
      "empty-dir/": "755",
    });
  });

  it("is deterministic: the same tree gives the same bytes whatever the mtimes, modes' other bits and creation order", () => {
    const a = fresh();
    const b = fresh();
    sampleTree(a, "forward");
    sampleTree(b, "reverse");
    utimesSync(join(b, "bin/run.sh"), 1, 1);
    utimesSync(join(b, "data"), 123_456, 123_456);
    chmodSync(join(b, "a-b"), 0o664);
    const ta = packImage(a);
    const tb = packImage(b);
    expect(toHex(sha256(tb))).toBe(toHex(sha256(ta)));
    // Sorted entries; uid/gid/mtime zero; ustar magic; two end blocks.
    const names: string[] = [];
    for (let off = 0; off + 512 <= ta.length; ) {
      const h = Buffer.from(ta.subarray(off, off + 512));
      if (h.every((x) => x === 0)) break;
      const field = (o: number, l: number) =>
        h
          .subarray(o, o + l)
          .toString("utf8")
          .replace(/\0.*$/s, "");
      names.push(field(345, 155) ? `${field(345, 155)}/${field(0, 100)}` : field(0, 100));
      expect([field(108, 8), field(116, 8), field(136, 12), field(257, 6)]).toEqual([
        "0000000",
        "0000000",
        "00000000000",
        "ustar",
      ]);
      off += 512 + Math.ceil(Number.parseInt(field(124, 12), 8) / 512) * 512;
    }
    expect(names).toEqual([...names].sort((x, y) => (x.replace(/\/$/, "") < y.replace(/\/$/, "") ? -1 : 1)));
    expect(ta.subarray(-1024).every((x) => x === 0)).toBe(true);
  });

  it("refuses a symbolic link, naming it (even one pointing inside the image)", () => {
    const d = fresh();
    sampleTree(d);
    symlinkSync("run.sh", join(d, "bin", "alias"));
    expect(errorOf(() => packImage(d))).toMatch(/"bin\/alias" is a symbolic link/);
    const e = fresh();
    symlinkSync("/etc/passwd", join(e, "passwd"));
    expect(errorOf(() => packImage(e))).toMatch(/"passwd" is a symbolic link/);
  });

  it("refuses a FIFO (devices and sockets alike), naming it; and a root that is a link or not a directory", () => {
    const d = fresh();
    execFileSync("mkfifo", [join(d, "pipe")]);
    expect(errorOf(() => packImage(d))).toMatch(/"pipe" is a device, FIFO or socket/);
    const real = fresh();
    symlinkSync(real, join(parent, "link-root"));
    expect(errorOf(() => packImage(join(parent, "link-root")))).toMatch(/not a directory/);
    writeFileSync(join(parent, "plain"), "x");
    expect(errorOf(() => packImage(join(parent, "plain")))).toMatch(/not a directory/);
    expect(errorOf(() => packImage(join(parent, "missing")))).toMatch(/no such directory/);
  });

  it("bounds size and entry count before reading any content", () => {
    const d = fresh();
    writeFileSync(join(d, "small"), "ok");
    // A sparse file: its size says too big; refused from the directory listing, its bytes never read.
    writeFileSync(join(d, "huge.bin"), "");
    truncateSync(join(d, "huge.bin"), MAX_IMAGE_TAR_BYTES);
    expect(errorOf(() => packImage(d))).toMatch(/packs to more than 67108864 bytes \(at "huge.bin"\)/);
    const many = fresh();
    for (let i = 0; i <= MAX_IMAGE_ENTRIES; i++) writeFileSync(join(many, `f${i}`), "");
    expect(errorOf(() => packImage(many))).toMatch(/more than 10000 entries/);
    rmSync(join(many, "f0"));
    expect(packImage(many).length).toBe((MAX_IMAGE_ENTRIES + 2) * 512);
  });

  it("refuses a path too long for a ustar header, naming it", () => {
    const d = fresh();
    const long = `${"p".repeat(101)}`;
    writeFileSync(join(d, long), "x");
    expect(errorOf(() => packImage(d))).toMatch(/the path "p{101}" is too long/);
  });
});
