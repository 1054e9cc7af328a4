/** Image unpacking attacks: `../` and absolute paths, symlinks and hard links, devices, size bounds, bad checksums. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { unpackImage } from "./image.js";

/** One ustar entry: header (name, mode, size, type, linkname, checksum) and the padded content. */
function entry(name: string, content = "", type = "0", mode = 0o644, link = ""): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, "utf8");
  h.write(`${mode.toString(8).padStart(7, "0")}\0`, 100);
  h.write("0000000\0", 108);
  h.write("0000000\0", 116);
  h.write(`${Buffer.byteLength(content).toString(8).padStart(11, "0")}\0`, 124);
  h.write("00000000000\0", 136);
  h.write(type, 156);
  h.write(link, 157, 100, "utf8");
  h.write("ustar\0" + "00", 257);
  h.fill(32, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  const body = Buffer.alloc(Math.ceil(Buffer.byteLength(content) / 512) * 512);
  body.write(content);
  return Buffer.concat([h, body]);
}
const tar = (...e: Buffer[]) => Buffer.concat([...e, Buffer.alloc(1024)]);
const parent = mkdtempSync(join(tmpdir(), "dsdn-image-test-"));
afterAll(() => rmSync(parent, { recursive: true, force: true }));

describe("unpackImage", () => {
  it("unpacks files and directories, keeping only execute bits", () => {
    const root = unpackImage(
      tar(
        entry("bin/", "", "5", 0o755),
        entry("bin/run.sh", "#!/bin/sh\nwc -c\n", "0", 0o4777),
        entry("data.txt", "hi"),
      ),
      parent,
    );
    expect(readFileSync(join(root, "bin/run.sh"), "utf8")).toBe("#!/bin/sh\nwc -c\n");
    expect(statSync(join(root, "bin/run.sh")).mode & 0o7777).toBe(0o755);
    expect(readFileSync(join(root, "data.txt"), "utf8")).toBe("hi");
  });

  it.each([
    ["a ../ entry", entry("../escape.txt", "x"), /escapes the image root/],
    ["a nested ../ entry", entry("a/../../escape.txt", "x"), /escapes the image root/],
    ["an absolute path", entry("/tmp/abs.txt", "x"), /escapes the image root/],
    ["a symlink", entry("link", "", "2", 0o777, "/etc"), /type '2'/],
    ["a hard link", entry("hard", "", "1", 0o644, "/etc/passwd"), /type '1'/],
    ["a device", entry("dev", "", "3"), /type '3'/],
  ])("refuses %s and writes nothing outside", (_what, e, why) => {
    expect(() => unpackImage(tar(e), parent)).toThrow(why);
    expect(existsSync(join(parent, "escape.txt"))).toBe(false);
    expect(existsSync("/tmp/abs.txt")).toBe(false);
  });

  it("refuses a symlink followed by a file written through it", () => {
    expect(() => unpackImage(tar(entry("d", "", "2", 0o777, "/tmp"), entry("d/x.txt", "x")), parent)).toThrow(
      /type '2'/,
    );
  });

  it("refuses a bad checksum, a truncated entry, a missing end marker", () => {
    const bad = entry("a.txt", "x");
    bad[0] = "b".charCodeAt(0);
    expect(() => unpackImage(tar(bad), parent)).toThrow(/checksum/);
    expect(() => unpackImage(entry("a.txt", "x".repeat(600)).subarray(0, 700), parent)).toThrow(/truncated/);
    expect(() => unpackImage(entry("a.txt", "x"), parent)).toThrow(/end-of-archive/);
  });

  it("a refused image leaves nothing on disk (a tar of big files ending in a bad entry cannot fill the node's disk)", () => {
    const own = mkdtempSync(join(parent, "refused-"));
    const filler = "x".repeat(256 * 1024);
    for (const bad of [
      tar(entry("a/big1", filler), entry("a/big2", filler), entry("a/link", "", "2", 0o777, "/etc")),
      tar(entry("a/big1", filler), entry("../escape.txt", "x")),
      Buffer.concat([entry("a/big1", filler), entry("b", "x".repeat(600)).subarray(0, 700)]),
      entry("a/big1", filler),
      tar(entry("a/big1", filler), entry("a/big1", filler)),
    ]) {
      expect(() => unpackImage(bad, own)).toThrow();
      expect(readdirSync(own)).toEqual([]);
    }
  });
});
