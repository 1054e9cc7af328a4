/** @module A small CLI framework: a tree of commands, `--help`/`--version`, `-o json|text` output. */
import { readFileSync } from "node:fs";
import { type ParseArgsConfig, parseArgs } from "node:util";
import { InvalidArgumentError } from "./errors.js";
import { UxCode } from "./ux/catalog.js";
import { isLang, type Lang, resolveLang } from "./ux/lang.js";
import { nearest } from "./ux/suggest.js";
import { formatUserFacing, toUserFacing, type UserFacingError, userFacingJson, uxError } from "./ux/userFacingError.js";

export type Options = NonNullable<ParseArgsConfig["options"]>;

export interface CommandContext {
  readonly positionals: string[];
  readonly values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** The reader's language (`--lang`, `DSDN_LANG`, locale): commands pass it to anything that prints errors. */
  readonly lang?: Lang;
  /** `--verbose` (or DSDN_DEBUG): show technical detail and the fullest disclosure level. */
  readonly verbose?: boolean;
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
  /**
   * Each child's one-line summary, known without loading it: the group's `--help` then imports none of its
   * commands (loading them all parsed binaryen, the chain clients and more — most of `dsdn --help`'s start time).
   */
  readonly summaries?: Readonly<Record<string, string>>;
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
    const summary = group.summaries?.[name] ?? (await group.commands[name]!()).summary;
    lines.push(`  ${name.padEnd(width)}  ${summary}`);
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

/**
 * Options every command takes, read before the command's own: `--lang id|en` and `--verbose`. A command that
 * declares an option of the same name still gets it.
 */
function takeGlobal(argv: string[]): { argv: string[]; lang: string | undefined; verbose: boolean } {
  let lang: string | undefined;
  let verbose = false;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      rest.push(...argv.slice(i));
      break;
    }
    if (a === "--lang" && i + 1 < argv.length) {
      lang = argv[++i];
      rest.push(a, lang!);
    } else if (a.startsWith("--lang=")) {
      lang = a.slice(7);
      rest.push(a);
    } else {
      if (a === "--verbose") verbose = true;
      rest.push(a);
    }
  }
  return { argv: rest, lang, verbose };
}

/** Drops the global options a leaf command does not declare itself, so its strict parse accepts them. */
function withoutGlobals(argv: string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      out.push(...argv.slice(i));
      break;
    }
    if (a === "--lang" && !options.lang) i++;
    else if (a.startsWith("--lang=") && !options.lang) continue;
    else if (a === "--verbose" && !options.verbose) continue;
    else out.push(a);
  }
  return out;
}

/** True when the command line asks for machine output (`--json`, `-o json`): errors are then printed as JSON too. */
function wantsJson(argv: string[]): boolean {
  return argv.some(
    (a, i) => a === "--json" || a === "--output=json" || ((a === "-o" || a === "--output") && argv[i + 1] === "json"),
  );
}

function isUserFacing(e: unknown): e is UserFacingError {
  return !!e && typeof e === "object" && !(e instanceof Error) && "whatToDo" in e && "title" in e;
}

/** Prints what went wrong through the translation layer: never a stack or internal text unless verbose. */
export function reportError(
  e: unknown,
  io: { err: (line: string) => void; lang: Lang; verbose: boolean; json?: boolean },
): void {
  const u = isUserFacing(e) ? e : toUserFacing(e, io.lang);
  if (io.json)
    io.err(
      JSON.stringify({ error: userFacingJson(u), ...(io.verbose && u.technical ? { technical: u.technical } : {}) }),
    );
  else for (const line of formatUserFacing(u, io.lang, io.verbose)) io.err(line);
}

/** Walks argv down the command tree and runs the leaf. Errors go through the translation layer, never a stack. */
export async function runCli(name: string, root: CommandGroup, argvIn: string[]): Promise<number> {
  const out = (l: string) => process.stdout.write(`${l}\n`);
  const err = (l: string) => process.stderr.write(`${l}\n`);
  const global = takeGlobal(argvIn);
  const verbose = global.verbose || (process.env.DSDN_DEBUG ?? "") !== "";
  const json = wantsJson(argvIn);
  if (global.lang !== undefined && !isLang(global.lang)) {
    reportError(new InvalidArgumentError(`--lang must be "id" or "en", got "${global.lang.slice(0, 20)}"`), {
      err,
      lang: resolveLang(),
      verbose,
      json,
    });
    return 2;
  }
  const lang = resolveLang(global.lang);
  // Layers below the command (SDK calls, tx result printing) read the language from the environment.
  process.env.DSDN_LANG = lang;
  const argv = global.argv;
  if (argv[0] === "--version" || argv[0] === "-v" || argv[0] === "version") {
    out(`${name} ${packageVersion()}`);
    return 0;
  }
  let node: Command | CommandGroup = root;
  let path = name;
  let rest = argv;
  while (isGroup(node)) {
    // Global options may come before the command word (`dsdn --lang id upload …`): skip over them here.
    const lead = rest.findIndex(
      (a, i) => !(a === "--verbose" || a.startsWith("--lang=") || a === "--lang" || rest[i - 1] === "--lang"),
    );
    const word = lead < 0 ? undefined : rest[lead];
    if (word === undefined || word === "--help" || word === "-h" || word === "help") {
      (word === undefined ? err : out)(await groupHelp(path, node));
      return word === undefined ? 1 : 0;
    }
    const load: (() => Promise<Command | CommandGroup>) | undefined = Object.hasOwn(node.commands, word)
      ? node.commands[word]
      : undefined;
    if (!load) {
      const guess = nearest(word, Object.keys(node.commands));
      const hint = `${path}: unknown command "${word.slice(0, 64)}"${guess ? `; did you mean "${path} ${guess}"?` : ""}`;
      reportError(uxError(UxCode.UnknownCommand, lang, hint), { err, lang, verbose: false, json });
      err("");
      err(await groupHelp(path, node));
      return 2;
    }
    node = await load();
    path = `${path} ${word}`;
    rest = [...rest.slice(0, lead), ...rest.slice(lead + 1)];
  }
  const cmd: Command = node;
  if (rest.includes("--help") || rest.includes("-h")) {
    out(commandHelp(path, cmd));
    return 0;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: withoutGlobals(rest, cmd.options ?? {}),
      options: cmd.options ?? {},
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    reportError(uxError(UxCode.Usage, lang, `${path}: ${(e as Error).message}`), { err, lang, verbose: false, json });
    err(commandHelp(path, cmd));
    return 2;
  }
  try {
    return await cmd.run({
      positionals: parsed.positionals,
      values: parsed.values as CommandContext["values"],
      out,
      err,
      lang,
      verbose,
    });
  } catch (e) {
    reportError(e, { err, lang, verbose, json });
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

/** The pending untilSignal() waits, so a host running services in-process (`dsdn dev`) can end them as SIGTERM would. */
const signalWaits = new Set<(signal: NodeJS.Signals) => void>();
/** Set once stopServicesInProcess() ran: a service that reaches untilSignal() later stops at once instead of hanging. */
let stopRequested = false;

/** Resolves with the signal's name once the process gets SIGINT or SIGTERM: long-running services await it, then shut down. */
export function untilSignal(): Promise<NodeJS.Signals> {
  if (stopRequested) return Promise.resolve("SIGTERM");
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      signalWaits.delete(stop);
      resolve(signal);
    };
    signalWaits.add(stop);
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

/**
 * Ends every service command of this process waiting in untilSignal(), now and later, as a SIGTERM would: the host
 * that runs several of them side by side (`dsdn dev`) stops them all, then its own parts.
 */
export function stopServicesInProcess(): void {
  stopRequested = true;
  for (const stop of [...signalWaits]) stop("SIGTERM");
}

/**
 * Runs one leaf command in this process, its argv parsed strictly as runCli does (defaults applied), with the
 * caller's output lines: how `dsdn dev` runs the DA server, coordinator, storage nodes and ingress in one process.
 */
export function runCommandInProcess(
  cmd: Command,
  argv: string[],
  io: { out: (line: string) => void; err: (line: string) => void },
): Promise<number> {
  const parsed = parseArgs({ args: argv, options: cmd.options ?? {}, allowPositionals: true, strict: true });
  return Promise.resolve(
    cmd.run({
      positionals: parsed.positionals,
      values: parsed.values as CommandContext["values"],
      out: io.out,
      err: io.err,
    }),
  );
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
