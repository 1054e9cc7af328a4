/**
 * Keplr's ChainInfo, checked against the rules of Keplr's own ChainInfoSchema
 * (keplr-wallet packages/chain-validator/src/schema.ts): required fields, coinDecimals an integer 0–18,
 * gas price steps numbers with low <= average <= high, rpc/rest URIs without a query string.
 */
import { describe, expect, it } from "vitest";
import { keplrChainInfo, parseGasPrice } from "./keplrChainInfo.js";

const base = { chainId: "nusantara-localnet-1", rpc: "http://127.0.0.1:26601", rest: "http://127.0.0.1:26604" };

describe("Keplr chain info", () => {
  it.each([
    ["0.025unusa", 0.025, 0.0375, 0.05],
    ["1unusa", 1, 1.5, 2],
    ["0unusa", 0, 0, 0],
    ["0.000001unusa", 0.000001, 0.0000015, 0.000002],
  ])("gas price steps from a minimum of %s: low is the minimum, exact decimal multiples", (gp, low, average, high) => {
    const info = keplrChainInfo({ ...base, minGasPrice: gp });
    expect(info.feeCurrencies[0]?.gasPriceStep).toEqual({ low, average, high });
  });

  it("has every field Keplr's schema requires, NUSA with 6 decimals everywhere", () => {
    const info = keplrChainInfo({ ...base, minGasPrice: "0.025unusa" });
    expect(info.bip44.coinType).toBe(118);
    for (const c of [...info.currencies, ...info.feeCurrencies, info.stakeCurrency]) {
      expect(c).toMatchObject({ coinDenom: "NUSA", coinMinimalDenom: "unusa", coinDecimals: 6 });
      expect(Number.isInteger(c.coinDecimals)).toBe(true);
    }
    expect(Object.keys(info.bech32Config).sort()).toEqual(
      [
        "bech32PrefixAccAddr",
        "bech32PrefixAccPub",
        "bech32PrefixValAddr",
        "bech32PrefixValPub",
        "bech32PrefixConsAddr",
        "bech32PrefixConsPub",
      ].sort(),
    );
    expect(info.chainName.length).toBeLessThanOrEqual(30);
    expect(JSON.parse(JSON.stringify(info))).toEqual(info); // plain JSON, no bigint
  });

  it.each(["", "0.025", "unusa", "-1unusa", "0.025 unusa", "0.0.1unusa"])("refuses the gas price %j", (gp) => {
    expect(() => parseGasPrice(gp)).toThrow(/gas price/);
  });

  it("refuses a gas price in another denom (Keplr would price fees in a coin the chain does not take)", () => {
    expect(() => keplrChainInfo({ ...base, minGasPrice: "0.025uatom" })).toThrow(/denom must be unusa/);
    // An exponent is not a number format here: it reads as the denom "e3unusa", which is refused.
    expect(() => keplrChainInfo({ ...base, minGasPrice: "1e3unusa" })).toThrow(/denom must be unusa/);
  });
});
