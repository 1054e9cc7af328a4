import { afterEach, describe, expect, it } from "vitest";
import { BwrapVM, bwrapAvailable } from "./bwrapVM.js";
import { createMicroVM } from "./createMicroVM.js";
import { MockVM } from "./mockVM.js";
import type { MicroVM } from "./types.js";

const text = (b: Uint8Array) => Buffer.from(b).toString("utf8");
const vms: MicroVM[] = [];
afterEach(async () => {
  for (const vm of vms.splice(0)) await vm.stop();
});
async function started<T extends MicroVM>(vm: T): Promise<T> {
  vms.push(vm);
  await vm.start();
  return vm;
}

const bwrap = bwrapAvailable();
// The sandbox backend needs bubblewrap and root (for cgroups); .ci/run installs bubblewrap and CI runs as root.
const sandbox = typeof bwrap === "string" ? describe.skip : describe;
if (typeof bwrap === "string") console.warn(`skipping the bwrap backend tests: ${bwrap}`);

describe.each([
  ["mock", () => new MockVM()],
  ...(typeof bwrap === "string" ? [] : ([["bwrap", () => new BwrapVM()]] as const)),
] as const)("MicroVM %s", (_name, make) => {
  it("runs echo hello and reports the exit code", async () => {
    const vm = await started(make());
    const r = await vm.exec(["/bin/sh", "-c", "echo hello; echo oops >&2; exit 3"]);
    expect(text(r.stdout)).toBe("hello\n");
    expect(text(r.stderr)).toBe("oops\n");
    expect(r).toMatchObject({ exitCode: 3, signal: null, limit: null });
  });

  it("feeds stdin and caps the output it keeps", async () => {
    const vm = await started(make());
    expect(text((await vm.exec(["/bin/cat"], { stdin: new TextEncoder().encode("input bytes") })).stdout)).toBe(
      "input bytes",
    );
    const big = await vm.exec(["/bin/sh", "-c", `head -c ${vm.limits.maxOutputBytes + 100000} /dev/zero`]);
    expect(big.stdout.length).toBe(vm.limits.maxOutputBytes);
    expect(big.limit).toBe("output");
  });

  it("kills a command that runs past the wall-clock limit, with everything it started", async () => {
    const vm = await started(make());
    const r = await vm.exec(["/bin/sh", "-c", "sleep 30 & sleep 30"], { timeoutMs: 500 });
    expect(r.limit).toBe("timeout");
    expect(r.signal).toBe("SIGKILL");
    expect(r.wallMs).toBeLessThan(10_000);
  });

  it("refuses exec before start", async () => {
    const vm = make();
    await expect(vm.exec(["/bin/true"])).rejects.toThrow(/before start/);
  });
});

sandbox("MicroVM bwrap isolation and limits", () => {
  const small = () =>
    new BwrapVM({ memoryBytes: 64 * 1024 * 1024, maxProcesses: 32, timeoutMs: 20_000, maxOutputBytes: 1 << 20 });

  it("has no network, a read-only root, no host /etc, and an unprivileged uid", async () => {
    const vm = await started(small());
    const r = await vm.exec([
      "/bin/sh",
      "-c",
      "id -u; ls /sys/class/net 2>/dev/null | tr '\\n' ' '; echo; touch /usr/x 2>&1 | grep -c Read-only; " +
        "test -e /etc/passwd && echo etc || echo noetc; echo ok > /tmp/w && cat /tmp/w",
    ]);
    const lines = text(r.stdout).trim().split("\n");
    expect(lines[0]).toBe("65534");
    expect(lines[1]!.trim()).toMatch(/^(lo)?$/); // only loopback (or no sysfs view at all)
    expect(lines.slice(2)).toEqual(["1", "noetc", "ok"]);
    const net = await vm.exec([
      "/usr/bin/python3",
      "-c",
      "import socket; socket.create_connection(('127.0.0.1', 22), 2)",
    ]);
    expect(net.exitCode).not.toBe(0);
  });

  it("kills a memory hog at the memory limit", async () => {
    const vm = await started(small());
    const r = await vm.exec(["/usr/bin/python3", "-c", "b = bytearray(512 * 1024 * 1024); print('survived')"]);
    expect(text(r.stdout)).not.toContain("survived");
    expect(r.limit).toBe("memory");
    // The kernel's OOM killer ends it inside the sandbox; bwrap reports that as exit 128 + SIGKILL.
    expect(r.exitCode === 137 || r.signal === "SIGKILL").toBe(true);
  });

  it("contains a fork bomb at the process limit; the next exec works", async () => {
    const vm = await started(small());
    const r = await vm.exec(["/bin/sh", "-c", "b() { b | b & }; b; sleep 3; echo done"], { timeoutMs: 6000 });
    expect(r.limit).toBe("processes");
    const next = await vm.exec(["/bin/echo", "hello"]);
    expect(text(next.stdout)).toBe("hello\n");
  });
});

describe("createMicroVM", () => {
  it("chooses by config and refuses an unknown or unavailable backend with a clear error", () => {
    expect(createMicroVM("mock").backend).toBe("mock");
    expect(createMicroVM("auto").backend).toBe(typeof bwrap === "string" ? "mock" : "bwrap");
    expect(() => createMicroVM("qemu")).toThrow(/qemu/);
    expect(() => createMicroVM("vmware" as never)).toThrow(/must be mock, bwrap, qemu or auto/);
    expect(() => createMicroVM("mock", { memoryBytes: -1 })).toThrow(/memoryBytes/);
  });
});
