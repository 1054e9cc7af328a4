/** @module Adversarial-test support: real `dsdn-node storage` processes, raw-socket clients, test-signed tickets. */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { cidForBytes } from "../../../../common/cid.js";
import { ed25519KeyPair } from "../../../../common/ed25519.js";
import { toHex } from "../../../../common/hash.js";
import { projectRoot } from "../../../../common/paths.js";
import { signTicket, TICKET_HEADER } from "../../../../node-agent/storage/ticket.js";

/**
 * The code under test. DSDN_ADVERSARIAL_ROOT points the same tests at another build (e.g. the commit
 * before a fix) to show each attack succeeding there.
 */
export const repo = process.env.DSDN_ADVERSARIAL_ROOT ?? projectRoot();

export interface StorageNodeProcess {
  readonly proc: ChildProcess;
  readonly url: string;
  readonly nodeId: string;
  readonly data: string;
  /** Everything the process wrote to stdout and stderr so far. */
  log(): string;
  alive(): boolean;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
/** SIGKILLs every node still running and waits until they are gone (so their files and mounts are free). */
export async function killAll(): Promise<void> {
  await Promise.all(
    [...children].map((c) => {
      const gone = new Promise((r) => c.once("exit", r));
      c.kill("SIGKILL");
      return gone;
    }),
  );
}

export function startStorageNode(
  data: string,
  args: string[],
  options: { env?: Record<string, string>; nodeFlags?: string[] } = {},
): Promise<StorageNodeProcess> {
  if (!existsSync(join(repo, "dist/node-agent/cli/main.js"))) throw new Error(`run \`npm run build\` in ${repo} first`);
  const proc = spawn(
    process.execPath,
    [...(options.nodeFlags ?? []), join(repo, "bin/dsdn-node.js"), "storage", "--data", data, "--port", "0", ...args],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...options.env } },
  );
  children.add(proc);
  let out = "";
  proc.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => proc.once("exit", () => r()));
  proc.once("exit", () => children.delete(proc));
  return new Promise((ok, fail) => {
    const check = () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      const id = /node id ([0-9a-f]{64})/.exec(out);
      if (m && id) {
        proc.stdout!.off("data", check);
        ok({
          proc,
          url: m[1]!,
          nodeId: id[1]!,
          data,
          log: () => out,
          alive: () => proc.exitCode === null && proc.signalCode === null,
          async stop() {
            if (proc.exitCode !== null || proc.signalCode !== null) return;
            proc.kill("SIGTERM");
            await exited;
          },
        });
      }
    };
    proc.stdout!.on("data", check);
    proc.once("exit", (code) => fail(new Error(`storage node exited with ${code}: ${out}`)));
  });
}

/** A coordinator key the test controls: the node under test is started with `--coordinator-key` its public key. */
export function testCoordinator() {
  const seed = randomBytes(32);
  const publicKey = toHex(ed25519KeyPair(seed).publicKey);
  return {
    publicKey,
    ticket(
      nodeId: string,
      cid: string,
      size: number,
      over: Partial<{ uploader: string; expiresAtMs: number; kind: "placement" | "heal" }> = {},
    ) {
      const now = Date.now();
      return signTicket(
        {
          kind: over.kind ?? "placement",
          cid,
          size,
          nodeId,
          uploader: over.uploader ?? "nusa1testuploader",
          issuedAtMs: now,
          expiresAtMs: over.expiresAtMs ?? now + 600_000,
        },
        seed,
      );
    },
  };
}

export function randomChunk(size: number): { bytes: Buffer; cid: string } {
  const bytes = randomBytes(size);
  return { bytes, cid: cidForBytes(bytes) };
}

export async function put(
  url: string,
  cid: string,
  bytes: Uint8Array,
  ticket?: string,
): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${url}/chunks/${cid}`, {
    method: "PUT",
    body: bytes,
    headers: ticket ? { [TICKET_HEADER]: ticket } : {},
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body, headers: res.headers };
}

export async function health(url: string): Promise<any> {
  return (await fetch(`${url}/health`)).json();
}

/** A PUT over a raw socket: headers (and optionally some body) now, the rest only when told. */
export interface RawPut {
  readonly socket: Socket;
  /** Resolves when the server (or anyone) closes the connection. */
  readonly closed: Promise<void>;
  /** What the server sent back. */
  response(): string;
  send(bytes: Uint8Array): void;
}

export function rawPut(
  url: string,
  cid: string,
  contentLength: number,
  headers: Record<string, string>,
): Promise<RawPut> {
  const u = new URL(url);
  const socket = connect(Number(u.port), u.hostname);
  let response = "";
  socket.on("data", (d: Buffer) => (response += d.toString("latin1")));
  socket.on("error", () => {});
  const closed = new Promise<void>((r) => socket.once("close", () => r()));
  return new Promise((ok, fail) => {
    socket.once("error", fail);
    socket.once("connect", () => {
      const head = [
        `PUT /chunks/${cid} HTTP/1.1`,
        `Host: ${u.host}`,
        "Content-Type: application/octet-stream",
        `Content-Length: ${contentLength}`,
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
        "",
        "",
      ].join("\r\n");
      socket.write(head);
      ok({ socket, closed, response: () => response, send: (b) => socket.write(b) });
    });
  });
}

export function tmpFiles(data: string): string[] {
  return existsSync(join(data, "tmp")) ? readdirSync(join(data, "tmp")) : [];
}

/** Bytes the process has read through read(2)-like calls (files and sockets): /proc/<pid>/io `rchar`. */
export function readChars(pid: number): number {
  const m = /^rchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, "utf8"));
  if (!m) throw new Error("no rchar in /proc/<pid>/io");
  return Number(m[1]);
}

export async function waitFor<T>(
  f: () => Promise<T | undefined | false> | T | undefined | false,
  ms: number,
  what: string,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const enospcPreload = pathToFileURL(join(projectRoot(), "test/adversarial/offchain/support/enospc.mjs")).href;
