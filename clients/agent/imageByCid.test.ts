/** A MicroVM image given by CID: the intent's CID is taken, and the tar read back is bounded, unencrypted and strict. */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cidForBytes } from "../../common/cid.js";
import { BaseError, ErrorCode } from "../../common/errors.js";
import { MAX_IMAGE_TAR_BYTES, packImage } from "../../node-agent/compute/packImage.js";
import { type ImageFetch, imageByCid } from "./imageByCid.js";
import { loadMicroVMWorkload } from "./workloadFiles.js";

const parent = mkdtempSync(join(tmpdir(), "dsdn-imagecid-test-"));
afterAll(() => rmSync(parent, { recursive: true, force: true }));
let n = 0;
const fresh = () => {
  const d = join(parent, `d-${n++}`);
  mkdirSync(d);
  return d;
};

function imageDir(): string {
  const d = fresh();
  mkdirSync(join(d, "bin"));
  writeFileSync(join(d, "bin", "run.sh"), "#!/bin/sh\nwc -c\n");
  chmodSync(join(d, "bin", "run.sh"), 0o755);
  return d;
}

/** A fake network holding `bytes` under its CID (declared `declared` bytes), optionally "encrypted". */
function fakeFetch(bytes: Uint8Array, o: { declared?: bigint | null; encrypted?: boolean } = {}) {
  const calls: string[] = [];
  const f: ImageFetch = {
    async declaredSize(cid) {
      calls.push(`size ${cid}`);
      return o.declared === undefined ? BigInt(bytes.length) : o.declared;
    },
    async get(cid, out) {
      calls.push(`get ${cid}`);
      writeFileSync(out, bytes);
      return { encrypted: o.encrypted ?? false };
    },
  };
  return { f, calls };
}

/** A ustar holding one symbolic link entry (what the node's strict unpack refuses). */
function tarWithSymlink(): Uint8Array {
  const h = Buffer.alloc(512);
  h.write("evil", 0);
  h.write("0000777\0", 100);
  h.write("0000000\0", 108);
  h.write("0000000\0", 116);
  h.write("00000000000\0", 124);
  h.write("00000000000\0", 136);
  h.write("2", 156);
  h.write("/etc/shadow", 157);
  h.write("ustar\0", 257);
  h.write("00", 263);
  h.fill(32, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  return new Uint8Array(Buffer.concat([h, Buffer.alloc(1024)]));
}

describe("dsdn deploy: a MicroVM image given by CID", () => {
  it("an intent whose image is a CID (no such directory) names the CID; a directory is still packed", () => {
    const tar = packImage(imageDir());
    const cid = cidForBytes(tar);
    const proj = fresh();
    writeFileSync(
      join(proj, "dsdn.yaml"),
      `type: batch\nruntime: microvm\nimage: ${cid}\ncommand: [/bin/sh, bin/run.sh]\nreplicas: 2\n`,
    );
    expect(loadMicroVMWorkload(proj).image).toEqual({ cid });

    const bad = fresh();
    writeFileSync(join(bad, "dsdn.yaml"), "type: batch\nruntime: microvm\nimage: bafkreinotacid\ncommand: [x]\n");
    expect(() => loadMicroVMWorkload(bad)).toThrow(/intent field "image".*neither a directory nor a CIDv1/);

    const withDir = fresh();
    mkdirSync(join(withDir, "img"));
    writeFileSync(join(withDir, "img", "f"), "x");
    writeFileSync(join(withDir, "dsdn.yaml"), "type: batch\nruntime: microvm\nimage: img\ncommand: [x]\n");
    const m = loadMicroVMWorkload(withDir).image;
    expect("dir" in m && m.tar).toEqual(packImage(join(withDir, "img")));
  });

  it("the tar the CLI packed, read back by CID, is the same bytes (so the same signed size and sha256)", async () => {
    const tar = packImage(imageDir());
    const tmp = fresh();
    const { f, calls } = fakeFetch(tar);
    const cid = cidForBytes(tar);
    expect(await imageByCid(cid, tmp, f)).toEqual(tar);
    expect(calls).toEqual([`size ${cid}`, `get ${cid}`]);
    expect(readdirSync(tmp)).toEqual([]); // download and trial unpack removed
  });

  it("refused before a byte is fetched: not declared, or stored as far more than an image may be", async () => {
    const tar = packImage(imageDir());
    for (const declared of [null, 2n * BigInt(MAX_IMAGE_TAR_BYTES) + 1n]) {
      const { f, calls } = fakeFetch(tar, { declared });
      await expect(imageByCid("bafkreicid", fresh(), f)).rejects.toThrow(
        declared === null ? /"image".*not declared on DA/ : /"image".*stored as 134217729 bytes.*at most 67108864/,
      );
      expect(calls).toEqual(["size bafkreicid"]);
    }
  });

  it("refused: more bytes than declared, an encrypted object, a tar the node's strict unpack refuses", async () => {
    const big = new Uint8Array(MAX_IMAGE_TAR_BYTES + 1);
    await expect(imageByCid("c1", fresh(), fakeFetch(big, { declared: 10n }).f)).rejects.toThrow(
      /"image".*67108865 bytes; an image is at most/,
    );
    const tar = packImage(imageDir());
    await expect(imageByCid("c2", fresh(), fakeFetch(tar, { encrypted: true }).f)).rejects.toThrow(
      /"image".*stored encrypted/,
    );
    const noKey: ImageFetch = {
      declaredSize: async () => 10n,
      get: async () => {
        throw new BaseError(ErrorCode.Unauthorized, "c3 is encrypted and this machine holds no key for it");
      },
    };
    await expect(imageByCid("c3", fresh(), noKey)).rejects.toThrow(/"image".*stored encrypted/);
    const tmp = fresh();
    await expect(imageByCid("c4", tmp, fakeFetch(tarWithSymlink()).f)).rejects.toThrow(
      /"image".*image refused: entry "evil" is type '2'/,
    );
    expect(readdirSync(tmp)).toEqual([]); // neither the download nor a partial unpack is left
  });
});
