/**
 * @module Test-only fault modes of a storage node's compute agent (`--fault`), so tests can inject each kind of
 * compute fraud: `wrong-output` (an honest run, a false output), `wrong-step@N` (the machine state after step N is
 * flipped and the run goes on: a real tampered trace the node then defends), `wrong-trace@N` (an honest run and
 * output, but checkpoint N's commitment made up in the trace root and in the checkpoints the node defends),
 * `skip-execution` (made-up roots, no run). Refused unless the chain id is a localnet one: a production node can
 * never be started lying.
 */
import { InvalidArgumentError } from "../../common/errors.js";

export type Fault =
  | { readonly kind: "wrong-output" }
  | { readonly kind: "wrong-step"; readonly step: number }
  | { readonly kind: "wrong-trace"; readonly checkpoint: number }
  | { readonly kind: "skip-execution" };

/** A localnet chain id (`…-localnet-<n>`, as `dsdnd testnet init` and localnet/start.sh make them). */
export const isLocalnetChainId = (chainId: string): boolean => /^[a-z0-9-]*-localnet-[0-9]+$/.test(chainId);

/** Parses `--fault`; throws unless `chainId` is a localnet's. */
export function parseFault(text: string, chainId: string): Fault {
  if (!isLocalnetChainId(chainId))
    throw new InvalidArgumentError(
      `--fault is a test-only mode, refused on chain ${JSON.stringify(chainId)}: only a localnet chain id (…-localnet-N) allows it`,
    );
  if (text === "wrong-output" || text === "skip-execution") return { kind: text };
  const m = /^wrong-step@([0-9]{1,12})$/.exec(text);
  if (m) return { kind: "wrong-step", step: Number(m[1]) };
  const t = /^wrong-trace@([0-9]{1,12})$/.exec(text);
  if (t) return { kind: "wrong-trace", checkpoint: Number(t[1]) };
  throw new InvalidArgumentError(
    `--fault must be wrong-output, wrong-step@N, wrong-trace@N or skip-execution, not ${JSON.stringify(text)}`,
  );
}

export const faultText = (f: Fault): string =>
  f.kind === "wrong-step" ? `wrong-step@${f.step}` : f.kind === "wrong-trace" ? `wrong-trace@${f.checkpoint}` : f.kind;

/** The replay a node with `fault` defends its receipts from (the tamper of its run, if any). */
export const replayFault = (f: Fault | undefined): { tamperAt?: number; fakeCheckpoint?: number } =>
  f?.kind === "wrong-step" ? { tamperAt: f.step } : f?.kind === "wrong-trace" ? { fakeCheckpoint: f.checkpoint } : {};
