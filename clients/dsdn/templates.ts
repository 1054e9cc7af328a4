/** @module The project templates `dsdn init` writes: intent file, README, input, and which prebuilt module each uses. */

export interface Template {
  /** Text files, path → content. */
  files(name: string): Record<string, string>;
  /** Module files copied from node-agent/runtime/fixtures (prebuilt, so a new project runs without a toolchain). */
  readonly wasm: Record<string, string>;
  next(dir: string): string[];
}

const readme = (name: string, what: string, run: string) => `# ${name}

${what}

Run it:

\`\`\`sh
${run}
\`\`\`

Start a local network first with \`dsdn dev\` (it prints the coordinator URL to use).
`;

const computeNext = (dir: string) => [
  `dsdn estimate ${dir}            # dry run: class, spec and price`,
  `dsdn deploy ${dir} --wait       # upload module + input, sign, submit`,
];

export const TEMPLATES = {
  static: {
    files: (name: string) => ({
      "dsdn.yaml": `# A static site: the files under public/ are stored on DSDN and served by the ingress.\nname: ${name}\ntype: static\npublish: public\nvisibility: public\n`,
      "public/index.html": `<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>${name}</title></head>\n<body><h1>${name}</h1><p>Served from DSDN.</p></body>\n</html>\n`,
      "README.md": readme(name, "A static site stored on DSDN.", "dsdn upload public/index.html"),
    }),
    wasm: {},
    next: (dir: string) => [`dsdn upload ${dir}/public/index.html   # prints the manifest CID the ingress serves`],
  },
  batch: {
    files: (name: string) => ({
      "dsdn.yaml": `# A batch job: app.wasm (a WASI command) reads input.txt on stdin and writes its result to stdout.\nname: ${name}\ntype: batch\nentry: app.wasm\ninput: input.txt\n`,
      "input.txt": "hello DSDN\nthis file is the job's stdin\n",
      "README.md": readme(
        name,
        "A batch job: counts lines, words and bytes of input.txt (replace app.wasm with yours).",
        "dsdn deploy . --wait",
      ),
    }),
    wasm: { "app.wasm": "wc.wasm" },
    next: computeNext,
  },
  web_app: {
    files: (name: string) => ({
      "dsdn.yaml": `# A web app: app.wasm answers each request; replicated for availability.\nname: ${name}\ntype: web_app\nentry: app.wasm\ninput: request.txt\n`,
      "request.txt": "GET /\n",
      "README.md": readme(
        name,
        "A web app module (the prebuilt example counts the lines, words and bytes of each request; replace app.wasm with yours).",
        "dsdn deploy . --wait",
      ),
    }),
    wasm: { "app.wasm": "wc.wasm" },
    next: computeNext,
  },
  ai: {
    files: (name: string) => ({
      "dsdn.yaml": `# An AI inference job: model.wasm reads the prompt on stdin; more memory and time by default.\nname: ${name}\ntype: ai\nentry: model.wasm\ninput: prompt.txt\n`,
      "prompt.txt": "Ringkas teks ini dalam satu kalimat.\n",
      "README.md": readme(
        name,
        "An inference job (the prebuilt example counts the prompt's tokens; replace model.wasm with your model).",
        "dsdn deploy . --wait",
      ),
    }),
    wasm: { "model.wasm": "wc.wasm" },
    next: computeNext,
  },
} as const satisfies Record<string, Template>;
