/** @module Validator identity records of genesis (`dsdn.validator_identities`): who runs each genesis validator. */

/** One record per genesis validator, keyed by its CometBFT address (upper-case hex of 20 bytes). */
export interface ValidatorIdentity {
  readonly validator_address: string;
  /** The legal or public name of the operating organisation or person. */
  readonly operator_name: string;
  /** How to reach the operator about incidents (e-mail, URL or handle). */
  readonly contact: string;
  /** sha256 hex of the verification evidence (KYB papers, signed attestation) kept off chain by the launch team. */
  readonly evidence_sha256: string;
}

export const MAX_NAME = 70;
export const MAX_CONTACT = 140;

/** Chain ids of throwaway development chains, where identity and foundation records are optional. */
export function isLocalChainId(chainId: string): boolean {
  return /(^|-)(local|localnet|devnet)(-|$)/.test(chainId);
}

/** Field problems of one record (path relative to the record). */
export function identityFieldProblems(r: Partial<ValidatorIdentity>): { field: string; problem: string }[] {
  const out: { field: string; problem: string }[] = [];
  const text = (v: unknown, max: number) =>
    typeof v === "string" && v.trim().length > 0 && v.length <= max && ![...v].some((ch) => ch.charCodeAt(0) < 32);
  if (!text(r.operator_name, MAX_NAME))
    out.push({ field: "operator_name", problem: `must be 1..${MAX_NAME} characters` });
  if (!text(r.contact, MAX_CONTACT)) out.push({ field: "contact", problem: `must be 1..${MAX_CONTACT} characters` });
  if (typeof r.evidence_sha256 !== "string" || !/^[0-9a-f]{64}$/.test(r.evidence_sha256))
    out.push({ field: "evidence_sha256", problem: "must be the sha256 of the evidence, 64 lower-case hex digits" });
  return out;
}
