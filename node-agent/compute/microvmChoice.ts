/**
 * @module Which MicroVM backend a storage node offers (`dsdn-node storage --microvm bwrap|mock|none`, or
 * `DSDN_MICROVM`): by default bwrap when a probe shows it runs on this host, else none; bwrap asked for but unable to
 * run is an error saying why (never a silent downgrade); mock (no isolation) only on a localnet chain id.
 */
import { InvalidArgumentError } from "../../common/errors.js";
import { bwrapAvailable } from "../runtime/microvm/bwrapVM.js";
import { isLocalnetChainId } from "./candidates.js";

export type MicroVMOffer = "bwrap" | "mock" | "none";

/** `probe` says why bwrap cannot run here, or undefined when it can (default: a real sandboxed `/bin/true`). */
export function chooseMicroVM(
  asked: string | undefined,
  chainId: string,
  probe: () => string | undefined = () => {
    const r = bwrapAvailable();
    return typeof r === "string" ? r : undefined;
  },
): { backend: MicroVMOffer; why: string } {
  if (asked === undefined || asked === "") {
    const no = probe();
    return no === undefined
      ? { backend: "bwrap", why: "default: bubblewrap runs on this host" }
      : { backend: "none", why: `default: bubblewrap cannot run here (${no})` };
  }
  if (asked === "none") return { backend: "none", why: "asked for" };
  if (asked === "bwrap") {
    const no = probe();
    if (no !== undefined) throw new InvalidArgumentError(`--microvm bwrap cannot run on this host: ${no}`);
    return { backend: "bwrap", why: "asked for" };
  }
  if (asked === "mock") {
    if (!isLocalnetChainId(chainId))
      throw new InvalidArgumentError(
        `--microvm mock runs commands without isolation: refused on chain ${JSON.stringify(chainId)} (localnet chain ids only)`,
      );
    return { backend: "mock", why: "asked for (localnet only: no isolation)" };
  }
  throw new InvalidArgumentError(`--microvm must be bwrap, mock or none, not ${JSON.stringify(asked)}`);
}
