import { describe, expect, it } from "vitest";
import { IntentError, MAX_INTENT_BYTES, parseIntent } from "./intent.js";
import {
  challengeWindowFor,
  MAX_CHECKPOINTS,
  MIN_TRACE_EVERY,
  resolveIntent,
  specValues,
  traceEveryFor,
} from "./resolve.js";

const fieldOf = (text: string): string => {
  try {
    parseIntent(text);
  } catch (e) {
    if (e instanceof IntentError) return e.field;
    throw e;
  }
  throw new Error("accepted");
};

describe("intent parsing and validation", () => {
  it("accepts a minimal YAML batch intent and the same as JSON", () => {
    const y = parseIntent("type: batch\nentry: wc.wasm\ninput: words.txt\n");
    const j = parseIntent('{"type":"batch","entry":"wc.wasm","input":"words.txt"}');
    expect(y).toEqual(j);
    expect(y).toEqual({ type: "batch", entry: "wc.wasm", input: "words.txt" });
  });

  it.each([
    ["type: server\nentry: a.wasm", "type"],
    ["type: batch", "entry"],
    ["type: static", "publish"],
    ["type: static\npublish: site\nentry: a.wasm", "entry"],
    ["type: batch\nentry: a.wasm\nreplicas: 4", "replicas"],
    ["type: batch\nentry: a.wasm\nreplicas: 0", "replicas"],
    ["type: batch\nentry: a.wasm\nreplicas: 1.5", "replicas"],
    ["type: batch\nentry: a.wasm\nreplicas: 1\nagreement: unanimous", "agreement"],
    ["type: batch\nentry: a.wasm\nagreement: most", "agreement"],
    ["type: batch\nentry: a.wasm\npriority: urgent", "priority"],
    ["type: batch\nentry: a.wasm\nvisibility: secret", "visibility"],
    ["type: batch\nentry: a.wasm\nzones: [Zone A]", "zones.0"],
    ["type: batch\nentry: a.wasm\nclass: gpu", "class"],
    ["type: batch\nentry: a.wasm\nresources: {fuel: 10}", "resources.fuel"],
    ["type: batch\nentry: a.wasm\nresources: {memoryMiB: 100000}", "resources.memoryMiB"],
    ["type: batch\nentry: a.wasm\nresources: {cpus: 2}", "resources.cpus"],
    ["type: batch\nentry: a.wasm\nreplica: 2", "replica"],
    ["type: batch\nentry: ''", "entry"],
    ["- type: batch", ""],
    ["type: batch\ntype: ai\nentry: a.wasm", ""],
    ["type: [unclosed", ""],
  ])("refuses %j naming field %j", (text, field) => {
    expect(fieldOf(text)).toBe(field);
  });

  it("names an unknown field in the message (typos are errors, not silently ignored)", () => {
    expect(() => parseIntent("type: batch\nentry: a.wasm\nreplica: 2")).toThrow(/replica/);
  });

  it("refuses an oversized file before parsing it, and alias bombs", () => {
    expect(() => parseIntent(`type: batch\nentry: a.wasm\n#${"x".repeat(MAX_INTENT_BYTES)}`)).toThrow(IntentError);
    const bomb = [
      "a: &a [x,x,x,x,x,x,x,x,x]",
      ..."bcdefghijklmnopqrst"
        .split("")
        .map(
          (c, i) =>
            `${c}: &${c} [*${"abcdefghijklmnopqrst"[i]},*${"abcdefghijklmnopqrst"[i]},*${"abcdefghijklmnopqrst"[i]}]`,
        ),
    ].join("\n");
    expect(() => parseIntent(bomb)).toThrow(IntentError);
  });
});

describe("smart defaults", () => {
  it("every value has a source; stated values come from the intent", () => {
    const r = resolveIntent(parseIntent("type: web_app\nentry: app.wasm\nreplicas: 3\nzones: [id-jkt-1]"));
    for (const [k, v] of Object.entries(r)) expect(v.source, k).toMatch(/^(intent|default: .+|classification: .+)$/);
    expect(r.replicas).toEqual({ value: 3, source: "intent" });
    expect(r.zones.value).toEqual(["id-jkt-1"]);
    expect(r.priority).toEqual({ value: "high", source: "default: type web_app" });
    expect(r.visibility.value).toBe("public");
    expect(r.name.value).toBe("app");
  });

  it("type decides the defaults: ai asks for a datacenter node, batch one replica, web_app two", () => {
    expect(resolveIntent(parseIntent("type: ai\nentry: m.wasm")).class.value).toBe("datacenter");
    expect(resolveIntent(parseIntent("type: batch\nentry: m.wasm")).replicas.value).toBe(1);
    expect(resolveIntent(parseIntent("type: web_app\nentry: m.wasm")).replicas.value).toBe(2);
  });

  it("a classification sets fuel (×2 headroom), memory and the challenge window, and says so", () => {
    const r = resolveIntent(parseIntent("type: batch\nentry: m.wasm"), {
      class: "tiny",
      fuelUsed: "3000000",
      cycles: "3000000",
      memoryBytes: 65_536,
      outputBytes: 2_500_000,
      capped: false,
      priceNanoUsdPerReplica: "3000",
      engine: "v8",
    });
    expect(r.fuel.value).toBe(6_000_000);
    expect(r.fuel.source).toMatch(/^classification: /);
    expect(r.memoryPages.value).toBe(16);
    expect(r.challengeWindowSeconds.value).toBe(3600 + 3 * 600);
    expect(specValues(r).traceEvery).toBe(traceEveryFor(6_000_000));
  });

  it("the roadmap's window: 1 h + 10 min per started MB, at most 4 h", () => {
    expect(challengeWindowFor(0)).toBe(3600);
    expect(challengeWindowFor(1)).toBe(4200);
    expect(challengeWindowFor(1_000_000)).toBe(4200);
    expect(challengeWindowFor(1_000_001)).toBe(4800);
    expect(challengeWindowFor(1e9)).toBe(14_400);
  });

  it("trace_every bounds the checkpoint count for any fuel", () => {
    for (const f of [1_000, 1e6, 1e9, 1e12, 1e15]) {
      expect(Math.ceil(f / traceEveryFor(f))).toBeLessThanOrEqual(MAX_CHECKPOINTS);
      expect(traceEveryFor(f)).toBeGreaterThanOrEqual(MIN_TRACE_EVERY);
    }
    expect(traceEveryFor(1e12)).toBe(Math.ceil(1e12 / MAX_CHECKPOINTS));
  });
});
