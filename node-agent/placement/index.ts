/** @module Placement: where each chunk's replicas live, recomputable by anyone from DA state. */
export {
  type ChainPlacementInput,
  type ChainPlacementNode,
  placementCandidates,
  readChainPlacementInput,
} from "./candidates.js";
export {
  DEFAULT_REPLICATION_FACTOR,
  ownedBy,
  type PlacedNode,
  type Placement,
  type PlacementInput,
  type PlacementNode,
  placeChunk,
  placementWeight,
  rankNodes,
  rendezvousNegLog2,
  rendezvousScore,
} from "./placement.js";
export { placeStripe, type StripePlacement, type StripePlacementInput } from "./stripe.js";
