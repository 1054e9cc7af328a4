/**
 * @module Keplr's ChainInfo for Chain Nusantara (what `window.keplr.experimentalSuggestChain` takes):
 * coin type 118, the `nusa` bech32 family, NUSA/unusa with 6 decimals, and gas price steps derived
 * from a node's minimum gas price so the wallet's lowest step is still accepted.
 */
import { BECH32_PREFIX } from "../../common/secp256k1.js";

export interface KeplrCurrency {
  readonly coinDenom: string;
  readonly coinMinimalDenom: string;
  readonly coinDecimals: number;
}

export interface KeplrChainInfo {
  readonly chainId: string;
  readonly chainName: string;
  readonly rpc: string;
  readonly rest: string;
  readonly bip44: { readonly coinType: number };
  readonly bech32Config: Readonly<Record<string, string>>;
  readonly currencies: KeplrCurrency[];
  readonly feeCurrencies: (KeplrCurrency & { gasPriceStep: { low: number; average: number; high: number } })[];
  readonly stakeCurrency: KeplrCurrency;
  readonly features: string[];
}

export const NUSA: KeplrCurrency = { coinDenom: "NUSA", coinMinimalDenom: "unusa", coinDecimals: 6 };

/** average and high as multiples of the minimum gas price, in tenths (exact decimal arithmetic). */
const AVERAGE_TENTHS = 15n;
const HIGH_TENTHS = 20n;

/** "0.025unusa" → the price's decimal digits and the denom; throws on anything else. */
export function parseGasPrice(s: string): { digits: bigint; scale: number; denom: string } {
  const m = /^([0-9]{1,20})(?:\.([0-9]{1,18}))?([a-zA-Z][a-zA-Z0-9/:._-]{2,127})$/.exec(s);
  if (!m) throw new Error(`gas price "${s}": expected <decimal><denom>, e.g. 0.025unusa`);
  const frac = m[2] ?? "";
  return { digits: BigInt(`${m[1]}${frac}`), scale: frac.length, denom: m[3] as string };
}

/** digits × tenths / 10 at `scale` + 1 decimals, as a JSON number (exact for the short decimals used here). */
function times(digits: bigint, scale: number, tenths: bigint): number {
  const v = (digits * tenths).toString().padStart(scale + 2, "0");
  return Number(`${v.slice(0, v.length - scale - 1)}.${v.slice(v.length - scale - 1)}`);
}

export function keplrChainInfo(o: {
  chainId: string;
  chainName?: string;
  rpc: string;
  rest: string;
  minGasPrice: string;
}): KeplrChainInfo {
  const gp = parseGasPrice(o.minGasPrice);
  if (gp.denom !== NUSA.coinMinimalDenom) throw new Error(`gas price denom must be ${NUSA.coinMinimalDenom}`);
  const p = BECH32_PREFIX;
  return {
    chainId: o.chainId,
    chainName: o.chainName ?? "Chain Nusantara",
    rpc: o.rpc,
    rest: o.rest,
    bip44: { coinType: 118 },
    bech32Config: {
      bech32PrefixAccAddr: p,
      bech32PrefixAccPub: `${p}pub`,
      bech32PrefixValAddr: `${p}valoper`,
      bech32PrefixValPub: `${p}valoperpub`,
      bech32PrefixConsAddr: `${p}valcons`,
      bech32PrefixConsPub: `${p}valconspub`,
    },
    currencies: [NUSA],
    feeCurrencies: [
      {
        ...NUSA,
        gasPriceStep: {
          low: times(gp.digits, gp.scale, 10n),
          average: times(gp.digits, gp.scale, AVERAGE_TENTHS),
          high: times(gp.digits, gp.scale, HIGH_TENTHS),
        },
      },
    ],
    stakeCurrency: NUSA,
    features: [],
  };
}
