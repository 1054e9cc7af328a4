/** @module `npm run bench -- <name>`: runs one benchmark (or all) and records its figures in BENCHMARKS.md. */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeTahap27Report } from "./headlines.js";

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith(".bench.js"))
  .map((f) => f.replace(/\.bench\.js$/, ""))
  .sort();

// Options and their values (`--vs simd`) are the benchmark's, not benchmark names.
const argv = process.argv.slice(2);
const wanted = argv.filter((a, i) => !a.startsWith("-") && argv[i - 1] !== "--vs");
if (wanted.length === 0 || wanted.includes("--help")) {
  console.log(
    `usage: npm run bench -- <name>|all|report\navailable: ${available.join(", ") || "(none yet)"}\n` +
      "report: rebuilds the Tahap 27 report in BENCHMARKS.md from the recorded headline figures (bench/results/)",
  );
  process.exit(wanted.length === 0 ? 1 : 0);
}
if (wanted.length === 1 && wanted[0] === "report") {
  writeTahap27Report(join(here, "../.."));
  process.exit(0);
}
const names = wanted.includes("all") ? available : wanted;
for (const name of names) {
  if (!available.includes(name)) {
    console.error(`unknown benchmark "${name}"; available: ${available.join(", ")}`);
    process.exit(2);
  }
  const mod = (await import(join(here, `${name}.bench.js`))) as { run(args: string[]): Promise<void> };
  console.log(`== bench ${name}`);
  await mod.run(process.argv.slice(2).filter((a) => a !== name));
}
// Every benchmark refreshes the report when it records its figures; `all` rebuilds it once more at the end.
if (wanted.includes("all")) writeTahap27Report(join(here, "../.."));
