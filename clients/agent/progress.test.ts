import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createProgress, progressVisible } from "./progress.js";

/** A stream that says it is a terminal and keeps what is drawn. */
function tty(isTTY: boolean) {
  const s = new PassThrough() as unknown as NodeJS.WriteStream & { text(): string };
  let text = "";
  (s as unknown as PassThrough).on("data", (d: Buffer) => {
    text += d.toString();
  });
  Object.assign(s, {
    isTTY,
    columns: 120,
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
    text: () => text,
  });
  return s;
}

describe("progress bar", () => {
  it("on a terminal: percentage, MB done/total, speed and ETA", async () => {
    const s = tty(true);
    const p = createProgress("upload", 4_000_000, { stream: s });
    p.update(1_000_000);
    await new Promise((r) => setTimeout(r, 300));
    p.update(2_000_000);
    p.finish();
    await new Promise((r) => setImmediate(r));
    const out = s.text();
    expect(out).toMatch(/upload \[#+\.*\] 100% 4\.0\/4\.0 MB [\d.–]+ MB\/s ETA /);
    expect(out).toMatch(/ETA \d+s|ETA 0s/);
  });

  it("silent when not a terminal or when --json asked for machine output", async () => {
    for (const [stream, quiet] of [
      [tty(false), false],
      [tty(true), true],
    ] as const) {
      expect(progressVisible({ stream, quiet })).toBe(false);
      const p = createProgress("get", 10, { stream, quiet });
      p.update(5);
      p.finish();
      await new Promise((r) => setImmediate(r));
      expect(stream.text()).toBe("");
    }
  });
});

describe("stages", () => {
  it("one line per stage, none when quiet", async () => {
    const { createStages } = await import("./progress.js");
    const s = tty(false);
    createStages({ stream: s })("dry run");
    createStages({ stream: s, quiet: true })("hidden");
    await new Promise((r) => setImmediate(r));
    expect(s.text()).toBe("» dry run\n");
  });
});
