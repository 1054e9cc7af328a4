/** @module `dsdn delete <cid>`: the owner-signed request that removes the signer's pin of a file (other owners keep theirs). */
import { type Command, toJson } from "../../../common/cli.js";
import { InvalidArgumentError } from "../../../common/errors.js";
import { deleteViaCoordinator } from "../../agent/deleteFile.js";
import { coordinatorUrl } from "../config.js";
import { keyOptions, uploaderKeyFrom } from "./shared.js";

export const del: Command = {
  summary:
    "Delete your pin of a file (signed with your key); when no owner pins it any more, nodes drop its chunks after a grace period",
  usage:
    "<manifest-cid> [--coordinator URL] [--from KEY] [--keyring-dir DIR] [--keyring-backend file|test] [--keyring-passphrase-file F] [--json]",
  options: {
    coordinator: { type: "string" },
    ...keyOptions,
    json: { type: "boolean", default: false },
  },
  async run({ positionals, values, out }) {
    const cid = positionals[0];
    if (!cid || positionals.length > 1) throw new InvalidArgumentError("give exactly one manifest CID");
    const key = await uploaderKeyFrom(values);
    const r = await deleteViaCoordinator(coordinatorUrl(values), cid, key);
    if (values.json) {
      out(toJson({ cid, owner: key.address, ...r }));
      return 0;
    }
    out(
      r.published
        ? `removed ${key.address}'s pin of ${cid} (${r.removed.length} objects) at DA height ${r.daHeight}`
        : `${key.address} had already deleted ${cid}`,
    );
    return 0;
  },
};
