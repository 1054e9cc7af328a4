/**
 * @module The SDK as a TypeScript application sees it: `import { connect } from "dsdn/sdk"` resolves to the built
 * package's declaration files (`exports["./sdk"].types`), a right call type-checks and a wrong one does not.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../common/paths.js";

const run = promisify(execFile);
const root = projectRoot();
const tmp = mkdtempSync(join(tmpdir(), "dsdn-sdk-types-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

beforeAll(() => {
  // An application's own directory: the package installed under node_modules/dsdn, nothing else of the checkout.
  mkdirSync(join(tmp, "node_modules"));
  symlinkSync(root, join(tmp, "node_modules", "dsdn"), "dir");
  symlinkSync(join(root, "node_modules", "@types"), join(tmp, "node_modules", "@types"), "dir");
  writeFileSync(
    join(tmp, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ["node"],
      },
      include: ["app.ts"],
    }),
  );
  writeFileSync(join(tmp, "package.json"), JSON.stringify({ name: "app", type: "module", private: true }));
});

/** `tsc --noEmit` over app.ts; its exit code and diagnostics. */
async function typecheck(source: string): Promise<{ code: number; out: string }> {
  writeFileSync(join(tmp, "app.ts"), source);
  return run(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", tmp], { cwd: tmp }).then(
    (r) => ({ code: 0, out: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
  );
}

const GOOD = `import { connect, type DsdnClient, ErrorCode, toUserFacing } from "dsdn/sdk";
const dsdn: DsdnClient = await connect({ coordinator: "http://127.0.0.1:7070" });
const up = await dsdn.upload("photo.jpg", { onProgress: (done: number, total: number) => void (done / total) });
const manifest: string = up.manifest;
const got = await dsdn.get(manifest, "copy.jpg");
const size: number = got.size;
const logs: readonly string[] = (await dsdn.jobs.logs("ab".repeat(32))).logs;
const code: string = ErrorCode.NotFound;
console.log(size, logs, code, toUserFacing(new Error("x"), "id").title);
`;

describe("dsdn/sdk type declarations (npm test builds dist/ first)", () => {
  it("the package's exports point at built .d.ts files", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      exports: Record<string, { types: string }>;
    };
    for (const entry of [".", "./sdk"]) {
      expect(pkg.exports[entry]!.types).toMatch(/\.d\.ts$/);
      expect(existsSync(join(root, pkg.exports[entry]!.types))).toBe(true);
    }
  });

  it("an application's right calls type-check against the built package", async () => {
    const r = await typecheck(GOOD);
    expect(r.out).toBe("");
    expect(r.code).toBe(0);
  }, 120_000);

  it("a wrong call does not: the declarations carry the real types, not any", async () => {
    const r = await typecheck(
      `${GOOD}await dsdn.upload(42);\nconst n: number = manifest;\nawait connect({ coordinatr: "x" });\n`,
    );
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/app\.ts\(\d+,\d+\): error TS2345.*number.*string/);
    expect(r.out).toMatch(/app\.ts\(\d+,\d+\): error TS2322/);
    expect(r.out).toMatch(/coordinatr/);
  }, 120_000);
});
