/** @module The localnet's dev accounts put into a test-backend keyring in-process, as `dsdnd keys add --recover` would. */
import { Keyring } from "../../clients/keyring.js";
import type { Localnet } from "./localnet.js";

/**
 * Recovers each named dev account into `keyringDir` (test backend) with the keyring class `dsdnd keys add` uses, so
 * the files are the CLI's own; a `node bin/dsdnd.js` per key cost a second or more of CPU each on a loaded machine.
 * The CLI path itself is exercised where a test is about it (test/faults, test/chain/localnet).
 */
export async function addDevKeys(net: Pick<Localnet, "accounts">, keyringDir: string, names: string[]): Promise<void> {
  const keyring = new Keyring(keyringDir, "test");
  for (const name of names) {
    const a = net.accounts.find((x) => x.name === name);
    if (!a) throw new Error(`no dev account ${name}`);
    await keyring.add(name, a.mnemonic);
  }
}
