/**
 * @module Wires keepers and modules into the Chain Nusantara application, in a fixed order (the
 * layer above modules, as the SDK's simapp: the framework in chain-app/ never names a module).
 */

import { type AppOptions, NusantaraApp } from "../chain-app/app/app.js";
import type { Context } from "../chain-app/context.js";
import type { AppModule } from "../chain-app/module.js";
import type { ChainStore } from "../chain-app/store/index.js";
import { AuthKeeper, authModule, newAnteHandler } from "../modules/auth/index.js";
import { BankKeeper, bankModule } from "../modules/bank/index.js";
import { CommitteeKeeper, committeeModule } from "../modules/committee/index.js";
import { ComplianceKeeper, complianceModule, complianceProposalHandlers } from "../modules/compliance/index.js";
import { DAKeeper, daModule } from "../modules/da/index.js";
import { DistributionKeeper, distributionModule, observePowerUpdates } from "../modules/distribution/index.js";
import { EconomicsKeeper, economicsModule } from "../modules/economics/index.js";
import { FraudKeeper, fraudModule, type StepVerifier } from "../modules/fraud/index.js";
import { GovKeeper, govModule } from "../modules/gov/index.js";
import { NodesKeeper, nodesModule } from "../modules/nodes/index.js";
import { OracleKeeper, oracleModule } from "../modules/oracle/index.js";
import { observeTransfers, ReceiptsKeeper, receiptsModule } from "../modules/receipts/index.js";
import { punishNodeFault, SlashingKeeper, slashingModule } from "../modules/slashing/index.js";
import { StakeKeeper, stakeModule } from "../modules/stake/index.js";
import { observeRewards, SubsidyKeeper, subsidyModule } from "../modules/subsidy/index.js";
import { NodeFault } from "../proto/gen/dsdn/slashing/v1/slashing.js";

export interface Keepers {
  readonly auth: AuthKeeper;
  readonly bank: BankKeeper;
  readonly stake: StakeKeeper;
  readonly nodes: NodesKeeper;
  readonly slashing: SlashingKeeper;
  readonly committee: CommitteeKeeper;
  readonly receipts: ReceiptsKeeper;
  readonly fraud: FraudKeeper;
  readonly da: DAKeeper;
  readonly distribution: DistributionKeeper;
  readonly gov: GovKeeper;
  readonly oracle: OracleKeeper;
  readonly subsidy: SubsidyKeeper;
  readonly economics: EconomicsKeeper;
  readonly compliance: ComplianceKeeper;
}

/** Module order is consensus-critical: genesis, begin- and end-block hooks run in this order. */
export function buildModules(o: { stepVerifier?: StepVerifier } = {}): { modules: AppModule[]; keepers: Keepers } {
  const auth = new AuthKeeper();
  const bank = new BankKeeper(auth);
  const stake = new StakeKeeper(bank);
  const nodes = new NodesKeeper(stake);
  stake.addHooks(nodes);
  const slashing = new SlashingKeeper(stake);
  const committee = new CommitteeKeeper(stake);
  const receipts = new ReceiptsKeeper(bank);
  const distribution = new DistributionKeeper(bank, stake);
  const gov = new GovKeeper(bank, stake);
  // Validators that report too few valid prices are slashed (and jailed) through slashing.
  const oracle = new OracleKeeper(stake, slashing);
  const subsidy = new SubsidyKeeper(bank, nodes, slashing);
  // The adaptive fee drives receipts' storage price param (USD since receipt v2; only once the shadow-mode switch is on).
  const storagePrice = {
    storagePricePerGib: (ctx: Context) => receipts.getParams(ctx).storagePriceMicroUsdPerGib,
    setStoragePricePerGib: (ctx: Context, v: bigint) =>
      receipts.setParams(ctx, { ...receipts.getParams(ctx), storagePriceMicroUsdPerGib: v }),
  };
  const economics = new EconomicsKeeper(oracle, storagePrice, bank);
  // Proven compute fraud goes through slashing's node-fault path (10%, cooldown, repeated-malice ban).
  const fraud = new FraudKeeper(bank, {
    slashComputeFraud: (ctx, nodeId, evidence) =>
      nodes.getNode(ctx, nodeId)
        ? punishNodeFault(
            ctx,
            slashing,
            stake,
            nodes,
            nodeId,
            NodeFault.NODE_FAULT_COMPUTE_FRAUD,
            evidence,
            ctx.block.height,
          ).slashed
        : 0n,
  });
  // Receipts asks fraud whether a compute receipt is under dispute or void, without importing it.
  receipts.setDisputes(fraud);
  // A reported self-dealing receipt is a subsidy eligibility input (receipts never imports subsidy).
  receipts.setSelfDealingSink(subsidy);
  const da = new DAKeeper();
  const compliance = new ComplianceKeeper();
  const modules: AppModule[] = [
    authModule(auth),
    // MsgSend also feeds the receipts module's wallet-affinity record (anti self-dealing).
    observeTransfers(bankModule(bank), receipts),
    // Every validator power change also settles that validator's rewards (the F1 period boundary).
    observePowerUpdates(stakeModule(stake, bank), distribution),
    nodesModule(nodes, stake),
    slashingModule(slashing, stake, nodes),
    committeeModule(committee, stake),
    // Storage claims also feed the subsidy's organic-revenue record (its sunset rule).
    observeRewards(receiptsModule(receipts, bank, committee, nodes, stake, oracle), subsidy),
    fraudModule(fraud, bank, committee, nodes, receipts, o.stepVerifier),
    // After receipts: its validator share joins the fees in fee_collector before distribution allocates them.
    distributionModule(distribution, bank),
    govModule(gov),
    // Reads the previous height's vote extensions (the only module that does); prices before economics.
    oracleModule(oracle, stake),
    subsidyModule(subsidy, nodes),
    economicsModule(economics),
    // Validator-quorum DA (the fallback router's secondary); last, it depends only on bank.
    daModule(da, bank),
    // Pointer blocking by governance; no hooks, so its place only orders genesis.
    complianceModule(compliance),
  ];
  // Governance changes every module's params, and only it does: the router is each module's own accessor.
  gov.setParamsRouter(new Map(modules.flatMap((m) => (m.params ? [[m.name, m.params] as const] : []))));
  // Other messages a passed proposal executes, each by its own module (authority = the gov module account).
  gov.setProposalHandlers(complianceProposalHandlers(compliance));
  return {
    modules,
    keepers: {
      auth,
      bank,
      stake,
      nodes,
      slashing,
      committee,
      receipts,
      fraud,
      distribution,
      gov,
      oracle,
      subsidy,
      economics,
      da,
      compliance,
    },
  };
}

export function createApp(store: ChainStore, options: AppOptions = {}): NusantaraApp {
  const { modules, keepers } = buildModules();
  return new NusantaraApp(store, modules, newAnteHandler(keepers.auth, keepers.bank), options);
}

/** Every module's default genesis section, keyed by module name. */
export function defaultAppState(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of buildModules().modules) if (m.defaultGenesis) out[m.name] = m.defaultGenesis();
  return out;
}

/** Validates an app_state object module by module; throws naming the module and field. */
export function validateAppState(appState: Record<string, unknown>): void {
  const { modules } = buildModules();
  const known = new Set(modules.map((m) => m.name));
  for (const k of Object.keys(appState)) if (!known.has(k)) throw new Error(`app_state.${k}: unknown module`);
  for (const m of modules) m.validateGenesis?.(appState[m.name] ?? m.defaultGenesis?.());
}
