/** @module Publishes every router transition as a FallbackActivated DA event, so the log itself says where an outage's blobs went. */

import type { DALogger } from "../events/logger.js";
import type { EventPublisher } from "../events/publisher.js";
import type { FallbackActivation, FallbackRouter } from "./router.js";

/**
 * The event goes through the publisher's outbox and then the router, so it lands on the layer in use
 * once a post succeeds (the secondary or emergency DA during an outage, the primary after it). Returns
 * an unsubscribe function.
 */
export function announceFallback(router: FallbackRouter, publisher: EventPublisher, log?: DALogger): () => void {
  const on = (a: FallbackActivation) => {
    publisher
      .publish({
        type: "fallbackActivated",
        value: {
          fromState: a.from,
          toState: a.to,
          layer: a.layer,
          reason: a.reason.slice(0, 200),
          atUnixMs: BigInt(a.atMs),
          primaryHead: a.primaryHead,
        },
      })
      .catch((e) => log?.warn("FallbackActivated not published", { error: (e as Error).message }));
  };
  router.on("transition", on);
  return () => router.off("transition", on);
}
