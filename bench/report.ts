/** @module Writes a benchmark's figures, with the machine they ran on, into its own section of BENCHMARKS.md. */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";

export function machineDescription(): string {
  const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
  let disk = "";
  try {
    disk = execFileSync("df", ["-h", "."], { encoding: "utf8" }).trim().split("\n").pop()?.split(/\s+/)[0] ?? "";
  } catch {}
  return `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${process.platform}/${process.arch}${disk ? `, disk ${disk}` : ""}`;
}

/** Replaces (or appends) the section `## <title>` delimited by markers for `name`. */
export function writeBenchSection(name: string, title: string, markdownBody: string, root = process.cwd()): void {
  const file = join(root, "BENCHMARKS.md");
  const header = "# Benchmarks\n\nProduced by `npm run bench -- <name>`; each section records the machine it ran on.\n";
  let text = existsSync(file) ? readFileSync(file, "utf8") : header;
  const begin = `<!-- bench:${name}:begin -->`;
  const end = `<!-- bench:${name}:end -->`;
  const section = `${begin}\n## ${title}\n\nRun ${new Date().toISOString().slice(0, 10)} on ${machineDescription()}.\n\n${markdownBody.trim()}\n${end}`;
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  text =
    i >= 0 && j > i ? text.slice(0, i) + section + text.slice(j + end.length) : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, text);
}
