import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";

// The executables run from the compiled tree (npm test builds first), exactly as `npx` runs them.
describe("executables", () => {
  for (const bin of ["dsdnd", "dsdn", "dsdn-node"]) {
    it(`${bin} answers --version and --help`, () => {
      const v = execFileSync("node", [`bin/${bin}.js`, "--version"], { encoding: "utf8" });
      expect(v.trim()).toMatch(new RegExp(`^${bin} \\d+\\.\\d+\\.\\d+$`));
      const h = execFileSync("node", [`bin/${bin}.js`, "--help"], { encoding: "utf8" });
      expect(h).toContain(`${bin} <command>`);
    });
  }
  it("an unknown command exits 2 with help on stderr", () => {
    let status = 0;
    let stderr = "";
    try {
      execFileSync("node", ["bin/dsdnd.js", "no-such-command"], { encoding: "utf8", stdio: "pipe" });
    } catch (e) {
      status = (e as { status: number }).status;
      stderr = (e as { stderr: string }).stderr;
    }
    expect(status).toBe(2);
    expect(stderr).toContain('unknown command "no-such-command"');
  });
});
