/**
 * @module The compute challenge window, in block time: it opens at the receipt's committee-signed timestamp and
 * lasts base + perMb × ceil(output_size / 10^6) seconds, at most max. Pure: the fraud module sizes challenges with it.
 */
import type { ReceiptData } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import type { ReceiptsParams } from "./params.js";

const MB = 1_000_000n;

type WindowParams = Pick<
  ReceiptsParams,
  "computeWindowBaseSeconds" | "computeWindowPerMbSeconds" | "computeWindowMaxSeconds"
>;

/** Length of the challenge window of a compute result with `outputSize` bytes of output. */
export function computeWindowSeconds(outputSize: bigint, p: WindowParams): bigint {
  const mbs = (outputSize + MB - 1n) / MB;
  const w = p.computeWindowBaseSeconds + p.computeWindowPerMbSeconds * mbs;
  return w > p.computeWindowMaxSeconds ? p.computeWindowMaxSeconds : w;
}

/** [opens, closes): challenges are accepted while block time < closes; the claim pays from `closes` on. */
export function computeWindow(d: ReceiptData, p: WindowParams): { opens: bigint; closes: bigint } {
  const opens = BigInt(d.timestamp);
  return { opens, closes: opens + computeWindowSeconds(d.executionCommitment?.outputSize ?? 0n, p) };
}
