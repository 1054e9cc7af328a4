/** @module A small CLI framework: a tree of commands, `--help`/`--version`, `-o json|text` output. */
import { readFileSync } from "node:fs";
import { type ParseArgsConfig, parseArgs } from "node:util";
import { isBaseError } from "./errors.js";

export type Options = NonNullable<ParseArgsConfig["options"]>;

export interface CommandContext {
  readonly positionals: string[];
  readonly values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** A leaf command. `run` returns the process exit code. */
export interface Command {
  readonly summary: string;
  readonly usage?: string;
  readonly options?: Options;
  run(ctx: CommandContext): Promise<number> | number;
}

/** A command group (`dsdnd tx bank send`): children are loaded lazily so startup stays fast. */
export interface CommandGroup {
  readonly summary: string;
  readonly commands: Record<string, () => Promise<Command | CommandGroup>>;
}

function isGroup(c: Command | CommandGroup): c is CommandGroup {
  return "commands" in c;
}

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

async function groupHelp(path: string, group: CommandGroup): Promise<string> {
  const lines = [`${path} — ${group.summary}`, "", "Usage:", `  ${path} <command> [options]`, "", "Commands:"];
  const names = Object.keys(group.commands).sort();
  const width = Math.max(...names.map((n) => n.length), 4);
  for (const name of names) {
    const child = await group.commands[name]!();
    lines.push(`  ${name.padEnd(width)}  ${child.summary}`);
  }
  lines.push("", `Run '${path} <command> --help' for details.`);
  return lines.join("\n");
}

function commandHelp(path: string, cmd: Command): string {
  const lines = [`${path} — ${cmd.summary}`, "", "Usage:", `  ${path} ${cmd.usage ?? "[options]"}`];
  const opts = Object.entries(cmd.options ?? {});
  if (opts.length) {
    lines.push("", "Options:");
    for (const [name, o] of opts) {
      const flag = `${o.short ? `-${o.short}, ` : ""}--${name}${o.type === "string" ? " <value>" : ""}`;
      lines.push(`  ${flag}${o.multiple ? " (repeatable)" : ""}`);
    }
  }
  lines.push("  -h, --help");
  return lines.join("\n");
}

/** Walks argv down the command tree and runs the leaf. Errors print a short message, not a stack. */
export async function runCli(name: string, root: CommandGroup, argv: string[]): Promise<number> {
  const out = (l: string) => process.stdout.write(`${l}\n`);
  const err = (l: string) => process.stderr.write(`${l}\n`);
  if (argv[0] === "--version" || argv[0] === "-v" || argv[0] === "version") {
    out(`${name} ${packageVersion()}`);
    return 0;
  }
  let node: Command | CommandGroup = root;
  let path = name;
  let rest = argv;
  while (isGroup(node)) {
    const word = rest[0];
    if (word === undefined || word === "--help" || word === "-h" || word === "help") {
      out(await groupHelp(path, node));
      return word === undefined ? 1 : 0;
    }
    const load: (() => Promise<Command | CommandGroup>) | undefined = node.commands[word];
    if (!load) {
      err(`${path}: unknown command "${word}"\n`);
      err(await groupHelp(path, node));
      return 2;
    }
    node = await load();
    path = `${path} ${word}`;
    rest = rest.slice(1);
  }
  const cmd: Command = node;
  if (rest.includes("--help") || rest.includes("-h")) {
    out(commandHelp(path, cmd));
    return 0;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options: cmd.options ?? {}, allowPositionals: true, strict: true });
  } catch (e) {
    err(`${path}: ${(e as Error).message}`);
    err(commandHelp(path, cmd));
    return 2;
  }
  try {
    return await cmd.run({
      positionals: parsed.positionals,
      values: parsed.values as CommandContext["values"],
      out,
      err,
    });
  } catch (e) {
    if (isBaseError(e)) {
      err(`Error: ${e.shortMessage}`);
      if (e.details) err(e.details);
      if (process.env.DSDN_DEBUG && e.cause) err(String((e.cause as Error).stack ?? e.cause));
    } else {
      err(`Error: ${(e as Error)?.message ?? String(e)}`);
      if (process.env.DSDN_DEBUG) err(String((e as Error)?.stack));
    }
    return 1;
  }
}

/** The standard `-o json|text` output option. */
export const outputOption: Options = { output: { type: "string", short: "o", default: "text" } };

/** JSON that keeps bigint exact (as decimal strings) and bytes as hex. */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    (_k, v) => {
      if (typeof v === "bigint") return v.toString();
      if (v instanceof Uint8Array) return Buffer.from(v).toString("hex");
      return v;
    },
    indent,
  );
}

/** Resolves with the signal's name once the process gets SIGINT or SIGTERM: long-running services await it, then shut down. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve(signal);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

/**
 * An AbortSignal that fires on SIGINT or SIGTERM, for one-shot commands that must clean up (delete partial
 * output) instead of dying mid-write. A second signal exits at once (the process 'exit' hooks still run).
 */
export function abortOnSignal(): { signal: AbortSignal; dispose: () => void } {
  const ctl = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (ctl.signal.aborted) process.exit(sig === "SIGINT" ? 130 : 143);
    ctl.abort(new Error(`interrupted (${sig})`));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    signal: ctl.signal,
    dispose: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}
