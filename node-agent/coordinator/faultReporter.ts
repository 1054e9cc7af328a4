/** @module Reports storage-node faults the coordinator proved (failed challenges) to Chain Nusantara's slashing module. */

import { Keyring } from "../../clients/keyring.js";
import { connectSigningClient } from "../../clients/sdk/client.js";
import { reportNodeFaultMsg } from "../../clients/sdk/slashing.js";
import { BaseError, ErrorCode } from "../../common/errors.js";
import { fromHex } from "../../common/hash.js";
import { NodeFault } from "../../proto/gen/dsdn/slashing/v1/slashing.js";

export interface FaultReporter {
  /** Sends MsgReportNodeFault(data corruption) with the evidence text; resolves once included. */
  reportDataCorruption(nodeId: string, evidence: string): Promise<{ txhash: string; height: number }>;
  close(): void;
}

/**
 * Signs with a keyring key — the genesis fault authority until the coordinator committee attests faults
 * (documented as temporary in the slashing module). The mnemonic never leaves the keyring file.
 */
export async function connectFaultReporter(o: {
  rpcUrl: string;
  keyringDir: string;
  keyName: string;
  gasPrice?: string;
}): Promise<FaultReporter> {
  // The localnet's fault authority is a public dev account in the plain-text test backend; a service
  // has no terminal to ask an encrypted key's passphrase on.
  const keyring = new Keyring(o.keyringDir, "test");
  const signer = await keyring.signer(o.keyName);
  const [account] = await signer.getAccounts();
  const { client } = await connectSigningClient(o.rpcUrl, signer, o.gasPrice ? { gasPrice: o.gasPrice } : {});
  return {
    async reportDataCorruption(nodeId, evidence) {
      const msg = reportNodeFaultMsg({
        signer: account!.address,
        nodeId: fromHex(nodeId),
        fault: NodeFault.NODE_FAULT_DATA_CORRUPTION,
        evidence: new TextEncoder().encode(evidence.slice(0, 512)),
      });
      const r = await client.signAndBroadcast(account!.address, [msg], "auto");
      if (r.code !== 0)
        throw new BaseError(ErrorCode.Unavailable, `fault report refused by the chain (code ${r.code})`, {
          details: r.rawLog ?? "",
        });
      return { txhash: r.transactionHash, height: r.height };
    },
    close: () => client.disconnect(),
  };
}
