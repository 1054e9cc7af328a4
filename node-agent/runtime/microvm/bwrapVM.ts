/**
 * @module The sandbox backend: Linux namespaces through bubblewrap (Debian's `bwrap`). Each exec runs as
 * an unprivileged uid (65534) in new user, mount, pid, network, ipc and uts namespaces: no network
 * device but loopback, a read-only /usr, a private /tmp (tmpfs) as the only writable place, no host /etc
 * and no environment but PATH/HOME. Memory and process counts are kernel-enforced per exec by cgroups;
 * the wall-clock limit kills the whole cgroup.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, lstatSync, readlinkSync } from "node:fs";
import { BaseError, ErrorCode } from "../../../common/errors.js";
import { createCgroups } from "./cgroups.js";
import { runProcess } from "./runProcess.js";
import {
  defaultMicroVMLimits,
  type ExecLimit,
  type ExecOptions,
  type ExecResult,
  type MicroVM,
  type MicroVMLimits,
} from "./types.js";

const SANDBOX_UID = "65534";

/** `bwrap` and `setpriv` paths, or why the backend cannot run here. */
export function bwrapAvailable(): { bwrap: string; setpriv: string } | string {
  const which = (b: string): string | undefined => {
    for (const d of ["/usr/bin", "/bin", "/usr/local/bin"]) if (existsSync(`${d}/${b}`)) return `${d}/${b}`;
    return undefined;
  };
  const bwrap = which("bwrap");
  if (!bwrap) return "bubblewrap is not installed (Debian: apt-get install bubblewrap)";
  const setpriv = which("setpriv");
  if (!setpriv) return "setpriv (util-linux) is not installed";
  if (process.getuid?.() !== 0) return "the bwrap backend needs root to create per-exec cgroups";
  try {
    execFileSync(setpriv, [...dropPrivileges(), bwrap, ...rootArgs(), "--", "/bin/true"], { stdio: "pipe" });
  } catch (e) {
    const msg = (e as { stderr?: Buffer }).stderr?.toString().trim() || (e as Error).message;
    return `bubblewrap cannot create namespaces here: ${msg}`;
  }
  return { bwrap, setpriv };
}

function dropPrivileges(): string[] {
  return [
    `--reuid=${SANDBOX_UID}`,
    `--regid=${SANDBOX_UID}`,
    "--clear-groups",
    "--inh-caps=-all",
    "--bounding-set=-all",
    "--no-new-privs",
  ];
}

/** The sandbox's file system: /usr read-only, the host's top-level links to it mirrored, /tmp private. */
function rootArgs(): string[] {
  const args = ["--unshare-all", "--die-with-parent", "--new-session", "--ro-bind", "/usr", "/usr"];
  for (const top of ["bin", "sbin", "lib", "lib32", "lib64", "libx32"]) {
    const p = `/${top}`;
    if (!existsSync(p)) continue;
    const st = lstatSync(p);
    if (st.isSymbolicLink()) args.push("--symlink", readlinkSync(p), p);
    else if (st.isDirectory()) args.push("--ro-bind", p, p);
  }
  // Only what the dynamic loader needs from /etc; never the host's /etc (passwd, keys, resolv.conf).
  if (existsSync("/etc/ld.so.cache")) args.push("--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache");
  args.push("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--chdir", "/tmp");
  args.push("--clearenv", "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin", "--setenv", "HOME", "/tmp");
  return args;
}

export class BwrapVM implements MicroVM {
  readonly backend = "bwrap" as const;
  #tools: { bwrap: string; setpriv: string } | undefined;
  #running = new Set<() => void>();

  constructor(readonly limits: MicroVMLimits = defaultMicroVMLimits) {}

  async start(): Promise<void> {
    if (this.#tools) return;
    const t = bwrapAvailable();
    if (typeof t === "string")
      throw new BaseError(ErrorCode.Unavailable, "MicroVM backend bwrap is unavailable", { details: t });
    this.#tools = t;
  }

  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const tools = this.#tools;
    if (!tools) throw new BaseError(ErrorCode.InvalidArgument, "MicroVM exec before start");
    if (argv.length === 0) throw new BaseError(ErrorCode.InvalidArgument, "MicroVM exec needs a command");
    const cg = createCgroups(
      `dsdn-vm-${randomBytes(6).toString("hex")}`,
      this.limits.memoryBytes,
      this.limits.maxProcesses,
    );
    if (typeof cg === "string")
      throw new BaseError(ErrorCode.Unavailable, "MicroVM limits cannot be enforced", { details: cg });
    const kill = () => cg.killAll();
    this.#running.add(kill);
    try {
      // A root shell joins the cgroups, then becomes the unprivileged bwrap: every process the command
      // starts is born inside the limits.
      const join = 'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1"; shift; n=$((n-1)); done; exec "$@"';
      return await runProcess({
        argv: [
          "/bin/sh",
          "-c",
          join,
          "sh",
          String(cg.procsFiles.length),
          ...cg.procsFiles,
          tools.setpriv,
          ...dropPrivileges(),
          tools.bwrap,
          ...rootArgs(),
          ...(options.imageDir ? ["--ro-bind", options.imageDir, "/image", "--chdir", "/image"] : []),
          "--",
          ...argv,
        ],
        env: { PATH: "/usr/bin:/bin" },
        stdin: options.stdin,
        timeoutMs: Math.min(options.timeoutMs ?? this.limits.timeoutMs, this.limits.timeoutMs),
        maxOutputBytes: this.limits.maxOutputBytes,
        killTree: kill,
        limitHit: (): ExecLimit | null => (cg.memoryLimitHit() ? "memory" : cg.processLimitHit() ? "processes" : null),
      });
    } finally {
      this.#running.delete(kill);
      cg.killAll();
      cg.remove();
    }
  }

  async stop(): Promise<void> {
    for (const kill of this.#running) kill();
    this.#running.clear();
    this.#tools = undefined;
  }
}
