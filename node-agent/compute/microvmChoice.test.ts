/** The storage node's MicroVM offer: probe-based default, a clear error for an unusable bwrap, mock only on a localnet. */
import { describe, expect, it } from "vitest";
import { bwrapAvailable } from "../runtime/microvm/bwrapVM.js";
import { chooseMicroVM } from "./microvmChoice.js";

const works = () => undefined;
const broken = () => "bubblewrap is not installed (Debian: apt-get install bubblewrap)";

describe("chooseMicroVM", () => {
  it("defaults to bwrap when the probe runs it, else none (saying why)", () => {
    expect(chooseMicroVM(undefined, "nusantara-1", works).backend).toBe("bwrap");
    const none = chooseMicroVM(undefined, "nusantara-1", broken);
    expect(none.backend).toBe("none");
    expect(none.why).toMatch(/bubblewrap is not installed/);
  });

  it("bwrap asked for but unable to run is an error naming the reason, never a silent downgrade", () => {
    expect(() => chooseMicroVM("bwrap", "nusantara-1", broken)).toThrow(
      /--microvm bwrap cannot run on this host: bubblewrap is not installed/,
    );
    expect(chooseMicroVM("bwrap", "nusantara-1", works).backend).toBe("bwrap");
  });

  it("mock (no isolation) is refused outside localnet chain ids", () => {
    for (const id of ["nusantara-1", "nusantara-mainnet", "locality-1", "nusantara-localnetwork-1"])
      expect(() => chooseMicroVM("mock", id, works)).toThrow(/--microvm mock .* refused on chain/);
    for (const id of ["nusantara-localnet-1", "nusantara-local"])
      expect(chooseMicroVM("mock", id, works).backend).toBe("mock");
  });

  it("none is always allowed; anything else is refused by name", () => {
    expect(chooseMicroVM("none", "nusantara-1", broken).backend).toBe("none");
    expect(() => chooseMicroVM("qemu", "nusantara-1", works)).toThrow(
      /--microvm must be bwrap, mock or none, not "qemu"/,
    );
  });

  it("the default probe agrees with bwrapAvailable on this host", () => {
    const here = bwrapAvailable();
    expect(chooseMicroVM(undefined, "nusantara-1").backend).toBe(typeof here === "string" ? "none" : "bwrap");
  });
});
