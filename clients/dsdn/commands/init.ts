/** @module `dsdn init --template static|batch|web_app|ai [DIR]`: a working project (intent file, module, input, README) to deploy at once. */
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Command, toJson } from "../../../common/cli.js";
import { BaseError, ErrorCode, InvalidArgumentError } from "../../../common/errors.js";
import { projectRoot } from "../../../common/paths.js";
import { WORKLOAD_TYPES } from "../../../node-agent/compute/intent.js";
import { TEMPLATES } from "../templates.js";

export const init: Command = {
  summary:
    "Create a project from a template (static, batch, web_app, ai) that `dsdn estimate` / `dsdn deploy` run as is",
  usage: "--template static|batch|web_app|ai [DIR] [--name NAME] [--json]",
  options: {
    template: { type: "string", short: "t" },
    name: { type: "string" },
    json: { type: "boolean", default: false },
  },
  run({ positionals, values, out }) {
    const t = values.template;
    if (typeof t !== "string" || !(WORKLOAD_TYPES as readonly string[]).includes(t))
      throw new InvalidArgumentError(`--template must be one of ${WORKLOAD_TYPES.join(", ")}`);
    if (positionals.length > 1) throw new InvalidArgumentError("give at most one directory");
    const dir = resolve(positionals[0] ?? ".");
    const name = typeof values.name === "string" ? values.name : (dir.split("/").pop() ?? "app");
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name))
      throw new InvalidArgumentError(
        `project name "${name.slice(0, 80)}" must be letters, digits, '.', '_' or '-' (give --name)`,
      );
    // Never overwrite: an existing non-empty directory is someone's work.
    if (existsSync(dir) && readdirSync(dir).length > 0)
      throw new BaseError(ErrorCode.Conflict, `${dir} is not empty; choose a new directory`);
    const tpl = TEMPLATES[t as keyof typeof TEMPLATES];
    mkdirSync(dir, { recursive: true });
    const written: string[] = [];
    for (const [file, text] of Object.entries(tpl.files(name))) {
      mkdirSync(join(dir, file, ".."), { recursive: true });
      writeFileSync(join(dir, file), text);
      written.push(file);
    }
    for (const [file, fixture] of Object.entries(tpl.wasm)) {
      copyFileSync(join(projectRoot(), "node-agent", "runtime", "fixtures", fixture), join(dir, file));
      written.push(file);
    }
    if (values.json) {
      out(toJson({ dir, template: t, name, files: written.sort() }));
      return 0;
    }
    out(`created ${t} project "${name}" in ${dir}:`);
    for (const f of written.sort()) out(`  ${f}`);
    out("next:");
    for (const step of tpl.next(dir)) out(`  ${step}`);
    return 0;
  },
};
