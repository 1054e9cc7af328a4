/**
 * @module A mainnet-shaped genesis: every module's params written out in full (so the file is the reviewable
 * launch record), no dev accounts, bootstrap governance waiting for its foundation, and the `dsdn` launch
 * records (foundation multisig, validator identities, declared supply) for `dsdnd genesis validate`.
 */
import { defaultAppState } from "../app/buildApp.js";
import { buildGenesis } from "./builder.js";
import { isLocalChainId } from "./identity.js";

export interface MainnetSpec {
  readonly chainId: string;
  /** Agreed launch time, RFC 3339 UTC. */
  readonly genesisTime: string;
  /** The announced total supply in the bond denom (base units); validate checks the balances add up to it. */
  readonly totalSupply?: bigint;
}

export function buildMainnetGenesis(spec: MainnetSpec): Record<string, unknown> {
  if (isLocalChainId(spec.chainId))
    throw new Error(`"${spec.chainId}" is a development chain id; use e.g. nusantara-1`);
  const appState = defaultAppState() as Record<string, any>;
  // Governance starts in bootstrap mode: the foundation (set-foundation) approves what passes until gov's own
  // `bootstrap: false` change passes.
  appState.gov = { ...appState.gov, params: { ...appState.gov.params, bootstrap: true, foundation: "" } };
  const genesis = buildGenesis({
    chainId: spec.chainId,
    genesisTime: spec.genesisTime,
    validators: [],
    balances: [],
    appState,
  });
  const denom = String(appState.stake?.params?.bondDenom ?? "unusa");
  return {
    ...genesis,
    dsdn: {
      validator_identities: [],
      ...(spec.totalSupply !== undefined ? { total_supply: [{ denom, amount: spec.totalSupply.toString() }] } : {}),
    },
  };
}
