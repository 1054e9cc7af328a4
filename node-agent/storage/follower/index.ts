/** @module The storage node's DA follower: self-healing fetches and registration with the coordinator. */
export { ByteRateLimiter } from "./rateLimiter.js";
export { type NodeRegistrationParams, registerWithCoordinator, signedRegistration } from "./register.js";
export { SelfHealer, type SelfHealerOptions, type SelfHealStats } from "./selfHeal.js";
