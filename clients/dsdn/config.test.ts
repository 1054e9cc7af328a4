import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { coordinatorUrl, loadDsdnConfig } from "./config.js";

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe("dsdn config", () => {
  it("flag over DSDN_COORDINATOR_URL over the config file; a missing coordinator names every way to set it", () => {
    const dir = mkdtempSync(join(tmpdir(), "dsdn-cfg-"));
    try {
      process.env.DSDN_HOME = dir;
      delete process.env.DSDN_CONFIG;
      delete process.env.DSDN_COORDINATOR_URL;
      delete process.env.INGRESS_URL;
      expect(() => coordinatorUrl({})).toThrow(/--coordinator URL.*DSDN_COORDINATOR_URL.*config\.json/);
      writeFileSync(join(dir, "config.json"), JSON.stringify({ coordinator: "http://127.0.0.1:7300", localnet: "/x" }));
      expect(coordinatorUrl({})).toBe("http://127.0.0.1:7300");
      process.env.DSDN_COORDINATOR_URL = "http://127.0.0.1:7301";
      expect(coordinatorUrl({})).toBe("http://127.0.0.1:7301");
      expect(coordinatorUrl({ coordinator: "http://127.0.0.1:7302" })).toBe("http://127.0.0.1:7302");
      writeFileSync(join(dir, "other.json"), JSON.stringify({ coordinater: "typo" }));
      process.env.DSDN_CONFIG = join(dir, "other.json");
      expect(() => loadDsdnConfig()).toThrow(/coordinater/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
