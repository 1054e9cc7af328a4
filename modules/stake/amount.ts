/** @module Decimal unusa amounts in messages: canonical non-negative integers, parsed to bigint. */
import { StakeErrors } from "./errors.js";

const INT = /^(0|[1-9][0-9]{0,76})$/;

export function parsePositiveAmount(text: string, field: string): bigint {
  if (!INT.test(text)) throw StakeErrors.InvalidAmount.wrap(`${field}: "${text}" is not an integer amount of unusa`);
  const n = BigInt(text);
  if (n <= 0n) throw StakeErrors.InvalidAmount.wrap(`${field}: must be positive`);
  return n;
}
