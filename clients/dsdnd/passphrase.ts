/** @module Where the file keyring's passphrase comes from: a private file (--keyring-passphrase-file) or a hidden TTY prompt — never argv or env. */
import { lstatSync, openSync, readFileSync, writeSync } from "node:fs";
import { ReadStream } from "node:tty";
import { BaseError, ErrorCode, InvalidArgumentError } from "../../common/errors.js";
import type { PassphraseSource } from "../keyring.js";

const MAX_PASSPHRASE_BYTES = 1024;

/** Reads the first line of a passphrase file that only its owner can read. */
export function readPassphraseFile(path: string): string {
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(path);
  } catch (e) {
    throw new InvalidArgumentError(`cannot read --keyring-passphrase-file ${path}`, { cause: e });
  }
  if (!st.isFile()) throw new InvalidArgumentError(`--keyring-passphrase-file ${path} is not a regular file`);
  if (st.mode & 0o077)
    throw new BaseError(
      ErrorCode.Unauthorized,
      `--keyring-passphrase-file ${path} is readable by other users (mode ${(st.mode & 0o777).toString(8)}); run: chmod 600 ${path}`,
    );
  if (st.size > MAX_PASSPHRASE_BYTES)
    throw new InvalidArgumentError(`--keyring-passphrase-file ${path} is larger than ${MAX_PASSPHRASE_BYTES} bytes`);
  const line = readFileSync(path, "utf8").split(/\r?\n/)[0] ?? "";
  if (line === "") throw new InvalidArgumentError(`--keyring-passphrase-file ${path} is empty`);
  return line;
}

/** Prompts on the controlling terminal (not stdin, which may carry a mnemonic) without echo. */
async function promptHidden(prompt: string): Promise<string> {
  let fd: number;
  try {
    fd = openSync("/dev/tty", "r+");
  } catch {
    throw new BaseError(
      ErrorCode.Unauthorized,
      "the file keyring needs a passphrase: run in a terminal, or pass --keyring-passphrase-file FILE (mode 0600)",
    );
  }
  writeSync(fd, prompt);
  const input = new ReadStream(fd);
  input.setRawMode(true);
  try {
    return await new Promise<string>((resolve, reject) => {
      let text = "";
      input.on("data", (chunk: Buffer) => {
        for (const ch of chunk.toString("utf8")) {
          if (ch === "\r" || ch === "\n") return resolve(text);
          if (ch === "\u0003" || ch === "\u0004") return reject(new BaseError(ErrorCode.Unauthorized, "cancelled"));
          if (ch === "\u007f" || ch === "\b") text = [...text].slice(0, -1).join("");
          else if (Buffer.byteLength(text) < MAX_PASSPHRASE_BYTES) text += ch;
        }
      });
      input.on("error", reject);
    });
  } finally {
    input.setRawMode(false);
    writeSync(fd, "\n");
    input.destroy(); // closes fd
  }
}

/** The passphrase source for `--keyring-passphrase-file` when given, else the terminal. */
export function passphraseSource(file: string | undefined): PassphraseSource {
  if (file) return async () => readPassphraseFile(file);
  return async (purpose, name) => {
    if (purpose === "unlock") return promptHidden(`Passphrase for key "${name}": `);
    const first = await promptHidden(`New passphrase to encrypt key "${name}": `);
    const again = await promptHidden("Repeat the passphrase: ");
    if (first !== again) throw new InvalidArgumentError("the passphrases do not match");
    return first;
  };
}
