/** @module The CosmJS Registry with every message type Chain Nusantara accepts. */
import type { GeneratedType } from "@cosmjs/proto-signing";
import { Registry } from "@cosmjs/proto-signing";
import { defaultRegistryTypes } from "@cosmjs/stargate";
import { committeeMessageTypes } from "./committee.js";
import { daMessageTypes } from "./da.js";
import { fraudMessageTypes } from "./fraud.js";
import { govMessageTypes } from "./gov.js";
import { nodesMessageTypes } from "./nodes.js";
import { receiptsMessageTypes } from "./receipts.js";
import { slashingMessageTypes } from "./slashing.js";
import { stakeMessageTypes } from "./stake.js";
import { subsidyMessageTypes } from "./subsidy.js";

/** DSDN's own messages (`/dsdn.<module>.v1.Msg…`), added as modules land. */
export const dsdnMessageTypes: ReadonlyArray<[string, GeneratedType]> = [
  ...stakeMessageTypes,
  ...nodesMessageTypes,
  ...slashingMessageTypes,
  ...committeeMessageTypes,
  ...receiptsMessageTypes,
  ...fraudMessageTypes,
  ...daMessageTypes,
  ...govMessageTypes,
  ...subsidyMessageTypes,
];

export function dsdnRegistry(): Registry {
  return new Registry([...defaultRegistryTypes, ...dsdnMessageTypes]);
}
