/** @module The `dsdn` config file (`<dsdn home>/config.json`, or DSDN_CONFIG): where the coordinator and ingress are. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../common/config.js";
import { InvalidArgumentError } from "../../common/errors.js";
import { dsdnHome } from "../agent/keystore.js";

const spec = {
  coordinator: { type: "url", env: "DSDN_COORDINATOR_URL" },
  ingress: { type: "url", env: "INGRESS_URL" },
  /** Keyring key that signs uploads and deletes (default: a key dsdn creates once). */
  from: { type: "string", env: "DSDN_FROM" },
  /** Set by localnet/start.sh: the localnet directory this config points at (informational). */
  localnet: { type: "string" },
} as const;

export function dsdnConfigPath(): string {
  return process.env.DSDN_CONFIG && process.env.DSDN_CONFIG !== ""
    ? process.env.DSDN_CONFIG
    : join(dsdnHome(), "config.json");
}

export interface DsdnConfig {
  readonly coordinator?: string;
  readonly ingress?: string;
  readonly from?: string;
}

/** Environment over file; a missing file is fine, a malformed one is an error naming the field. */
export function loadDsdnConfig(): DsdnConfig {
  const file = dsdnConfigPath();
  const c = loadConfig(spec as never, { ...(existsSync(file) ? { file } : {}), env: process.env }) as Record<
    string,
    string | undefined
  >;
  return {
    ...(c.coordinator ? { coordinator: c.coordinator } : {}),
    ...(c.ingress ? { ingress: c.ingress } : {}),
    ...(c.from ? { from: c.from } : {}),
  };
}

/** `--coordinator URL`, else DSDN_COORDINATOR_URL, else the config file. */
export function coordinatorUrl(values: Record<string, unknown>): string {
  if (typeof values.coordinator === "string" && values.coordinator !== "") return values.coordinator;
  const c = loadDsdnConfig().coordinator;
  if (!c)
    throw new InvalidArgumentError(
      `no coordinator: give --coordinator URL, set DSDN_COORDINATOR_URL, or put {"coordinator": URL} in ${dsdnConfigPath()} (or use --node URL)`,
    );
  return c;
}
