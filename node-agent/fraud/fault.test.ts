/** `--fault` is refused unless the chain is a localnet; the four modes parse, anything else is a clear error. */
import { describe, expect, it } from "vitest";
import { faultText, parseFault } from "./fault.js";

describe("--fault", () => {
  it("is refused on a chain id that is not a localnet's, whatever the mode", () => {
    for (const chainId of ["nusantara-1", "nusantara-testnet-3", "localnet", "nusantara-localnet-1x", ""])
      for (const mode of ["wrong-output", "wrong-step@10", "wrong-trace@3", "skip-execution"])
        expect(() => parseFault(mode, chainId)).toThrow(/test-only mode, refused on chain/);
  });
  it("parses the four modes on a localnet and names an unknown one", () => {
    for (const mode of ["wrong-output", "wrong-step@10", "wrong-trace@3", "skip-execution"])
      expect(faultText(parseFault(mode, "nusantara-localnet-1"))).toBe(mode);
    expect(parseFault("wrong-step@7", "nusantara-localnet-1")).toEqual({ kind: "wrong-step", step: 7 });
    expect(parseFault("wrong-trace@7", "nusantara-localnet-1")).toEqual({ kind: "wrong-trace", checkpoint: 7 });
    for (const bad of [
      "wrong-step",
      "wrong-step@",
      "wrong-step@-1",
      "lie",
      "wrong-step@1e3",
      "wrong-trace@",
      "wrong-trace@x",
    ])
      expect(() => parseFault(bad, "nusantara-localnet-1")).toThrow(/--fault must be/);
  });
});
