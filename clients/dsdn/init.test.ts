import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ErrorCode } from "../../common/errors.js";
import { parseIntent, WORKLOAD_TYPES } from "../../node-agent/compute/intent.js";
import { estimateWorkload } from "../agent/estimate.js";
import { init } from "./commands/init.js";

const tmp = mkdtempSync(join(tmpdir(), "dsdn-init-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(args: { positionals: string[]; values: Record<string, unknown> }) {
  const lines: string[] = [];
  const code = init.run({ ...args, values: args.values as never, out: (l) => lines.push(l), err: () => {} });
  return { code, lines };
}

describe("dsdn init --template", () => {
  for (const t of WORKLOAD_TYPES) {
    it(`${t}: writes a project whose intent is valid and whose module runs (estimate dry run)`, async () => {
      const dir = join(tmp, t);
      const { code, lines } = run({ positionals: [dir], values: { template: t, json: false } });
      expect(code).toBe(0);
      expect(lines.join("\n")).toMatch(/next:/);
      const intent = parseIntent(readFileSync(join(dir, "dsdn.yaml"), "utf8"));
      expect(intent.type).toBe(t);
      expect(intent.name).toBe(t);
      if (t === "static") {
        expect(readFileSync(join(dir, "public", "index.html"), "utf8")).toContain("<h1>static</h1>");
        return;
      }
      const e = await estimateWorkload({ target: dir });
      expect(BigInt(e.classification.fuelUsed)).toBeGreaterThan(0n);
      expect(e.total).toBe(e.perReplica * BigInt(e.spec.replicas.value));
      expect(e.spec.replicas.value).toBeGreaterThanOrEqual(1);
    });
  }

  it("refuses an unknown template and never overwrites a non-empty directory", () => {
    expect(() => run({ positionals: [join(tmp, "x")], values: { template: "mobile" } })).toThrow(
      /--template must be one of/,
    );
    const busy = join(tmp, "busy");
    run({ positionals: [busy], values: { template: "batch" } });
    writeFileSync(join(busy, "mine.txt"), "keep");
    try {
      run({ positionals: [busy], values: { template: "static" } });
      expect.unreachable();
    } catch (e) {
      expect((e as { code: string }).code).toBe(ErrorCode.Conflict);
    }
    expect(readdirSync(busy)).toContain("mine.txt");
    expect(readFileSync(join(busy, "dsdn.yaml"), "utf8")).toContain("type: batch");
  });
});
