import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { registeredErrors } from "../chain-app/errors.js";
import { isRegisteredCode } from "../common/ux/catalog.js";
import { LANGS } from "../common/ux/lang.js";
import { chainResultToUserFacing, formatUserFacing } from "../common/ux/userFacingError.js";

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") && !p.endsWith(".test.ts") ? [p] : [];
  });
}

// What the three CLIs throw themselves must carry a registered code: a bare `new Error` would reach the user as
// "unexpected error" with its text hidden, so a command's own refusals use the BaseError family.
const CLI_DIRS = ["clients/dsdn", "clients/dsdnd", "node-agent/cli"];

describe("every error the CLIs throw maps to a registered code", () => {
  it("no command throws a bare Error (use InvalidArgumentError or another BaseError)", () => {
    const offenders = CLI_DIRS.flatMap(files).flatMap((f) =>
      readFileSync(f, "utf8")
        .split("\n")
        .map((line, i) => ({ f, i: i + 1, line }))
        .filter((x) => /throw new (Type|Range)?Error\(/.test(x.line)),
    );
    expect(offenders.map((o) => `${o.f}:${o.i}`)).toEqual([]);
  });

  it("every registered chain error {codespace, code} translates to a registered code in both languages", async () => {
    for (const m of readdirSync("modules")) {
      try {
        statSync(join("modules", m, "errors.ts"));
      } catch {
        continue;
      }
      await import(/* @vite-ignore */ pathToFileURL(resolve("modules", m, "errors.ts")).href);
    }
    const all = registeredErrors();
    expect(all.length).toBeGreaterThan(50);
    for (const e of all)
      for (const lang of LANGS) {
        const u = chainResultToUserFacing({ codespace: e.codespace, code: e.code, log: e.message }, lang);
        expect(isRegisteredCode(u.code), `${e.codespace}/${e.code}`).toBe(true);
        const text = formatUserFacing(u, lang).join("\n");
        expect(text).toContain(e.codespace);
        expect(text).not.toContain("{module}");
      }
  });
});
