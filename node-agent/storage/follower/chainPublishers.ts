/** @module The DA publishers a storage node trusts as coordinators, read from the chain's committee registry. */
import { QueryClient } from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import { setupCommitteeExtension } from "../../../clients/sdk/committee.js";
import { BaseError, ErrorCode } from "../../../common/errors.js";
import { toHex } from "../../../common/hash.js";

/**
 * The ed25519 identity keys (hex) of every coordinator candidate registered on Chain Nusantara
 * (MsgRegisterCoordinator): the only keys whose DA events a storage node applies as a coordinator's.
 * Never taken from a coordinator's own answer — a coordinator cannot vouch for itself.
 */
export async function committeePublishersFromChain(rpcUrl: string): Promise<string[]> {
  let comet: Awaited<ReturnType<typeof connectComet>>;
  try {
    comet = await connectComet(rpcUrl);
  } catch (e) {
    throw new BaseError(ErrorCode.Unavailable, `cannot reach Chain Nusantara RPC at ${rpcUrl}`, { cause: e });
  }
  try {
    const q = QueryClient.withExtensions(comet, setupCommitteeExtension);
    return (await q.committee.candidates()).map((c) => toHex(c.identityKey)).filter((k) => k.length === 64);
  } finally {
    comet.disconnect();
  }
}
