/** @module `dsdn key recover`: rebuild a file key from Shamir share files into the keystore (or a key file). */
import { resolve } from "node:path";
import type { Command, CommandGroup } from "../../../common/cli.js";
import { toJson } from "../../../common/cli.js";
import { InvalidArgumentError } from "../../../common/errors.js";
import { toHex } from "../../../common/hash.js";
import { keyIdOf } from "../../agent/encryption.js";
import { Keystore, keyFileText, writePrivateFile } from "../../agent/keystore.js";
import { readShareFile, recoverKey } from "../../agent/shamir.js";

const recover: Command = {
  summary: "Rebuild a file key from t share files; saves it in the keystore and, with --out, to a key file",
  usage: "--shares FILE [FILE…] [--out KEYFILE] [--json]",
  options: {
    shares: { type: "string", multiple: true },
    out: { type: "string" },
    json: { type: "boolean", default: false },
  },
  async run({ positionals, values, out }) {
    // `--shares a b c` leaves b and c as positionals; accept both spellings.
    const given = [...((values.shares as string[] | undefined) ?? []), ...positionals];
    if (given.length === 0) throw new InvalidArgumentError("give the share files: --shares FILE [FILE…]");
    const shares = await Promise.all(given.map((f) => readShareFile(f)));
    const key = await recoverKey(shares);
    const manifest = shares[0]?.manifest;
    const keystorePath = await new Keystore().save(key, manifest);
    let keyFile: string | undefined;
    if (typeof values.out === "string") {
      keyFile = resolve(values.out);
      await writePrivateFile(keyFile, keyFileText(key, manifest));
    }
    const keyId = toHex(keyIdOf(key));
    if (values.json) {
      out(
        toJson({ keyId, keystore: keystorePath, ...(keyFile ? { keyFile } : {}), ...(manifest ? { manifest } : {}) }),
      );
    } else {
      out(`recovered key ${keyId} from ${shares.length} shares`);
      out(`saved in ${keystorePath}`);
      if (keyFile) out(`written to ${keyFile}`);
    }
    return 0;
  },
};

export const key: CommandGroup = {
  summary: "File keys: recovery from Shamir shares",
  commands: { recover: async () => recover },
};
