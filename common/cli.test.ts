import { execFileSync, spawnSync } from "node:child_process";
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

  it("a typo gets the nearest command suggested, in the chosen language, and help on stderr", () => {
    const r = spawnSync("node", ["bin/dsdn.js", "uplod", "--lang", "id"], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("Perintah tidak dikenal (Kode DSDN_UNKNOWN_COMMAND)");
    expect(r.stderr).toContain('did you mean "dsdn upload"?');
    expect(r.stderr).toContain("dsdn <command>");
  });

  it("no arguments: help on stderr, exit 1", () => {
    const r = spawnSync("node", ["bin/dsdn.js"], { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("dsdn <command>");
  });

  it("a failing command prints title, what happened and what to do — a stack only with --verbose", () => {
    const args = ["bin/dsdn.js", "status", "x", "--coordinator", "http://127.0.0.1:1"];
    const quiet = spawnSync("node", args, {
      encoding: "utf8",
      env: { ...process.env, DSDN_LANG: "en", DSDN_DEBUG: "" },
    });
    expect(quiet.status).toBe(1);
    expect(quiet.stderr).toMatch(/^Error: .+ \(Code DSDN_[A-Z_]+\)\n {2}What happened: /);
    expect(quiet.stderr).toContain("What to do:");
    expect(quiet.stderr).not.toMatch(/\n\s+at /);
    const verbose = spawnSync("node", [...args, "--verbose"], {
      encoding: "utf8",
      env: { ...process.env, DSDN_LANG: "en" },
    });
    expect(verbose.stderr).toMatch(/\n\s+at /);
    const json = spawnSync("node", [...args, "--json", "--lang", "id"], { encoding: "utf8" });
    const e = JSON.parse(json.stderr.trim()) as { error: { code: string; title: string; whatToDo: string } };
    expect(e.error.title).not.toBe("");
    expect(e.error.whatToDo).toMatch(/[a-z]/);
  });

  it("refuses an unknown --lang with a clear error", () => {
    const r = spawnSync("node", ["bin/dsdnd.js", "--lang", "fr", "keys", "list"], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--lang must be "id" or "en"');
  });
});
