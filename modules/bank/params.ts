/** @module bank params: whether MsgSend is on and which module accounts it may not credit. */
import { ALL_MODULE_ACCOUNTS } from "../auth/moduleAccounts.js";
import type { BankParams } from "./keeper.js";

/** Parses params from genesis/store/proposal JSON, naming the bad field. */
export function parseBankParams(raw: unknown): BankParams {
  const r = (raw ?? {}) as Record<string, unknown>;
  if (typeof r.sendEnabled !== "boolean") throw new Error("bank.params.sendEnabled: expected a boolean");
  const blocked = r.blockedModuleAccounts ?? [];
  if (!Array.isArray(blocked) || blocked.length > ALL_MODULE_ACCOUNTS.length + 16)
    throw new Error("bank.params.blockedModuleAccounts: expected a short list of module account names");
  for (const m of blocked)
    if (typeof m !== "string" || !/^[a-z][a-z0-9_]{0,63}$/.test(m))
      throw new Error(`bank.params.blockedModuleAccounts: invalid module account name "${String(m)}"`);
  return { sendEnabled: r.sendEnabled, blockedModuleAccounts: [...new Set(blocked as string[])].sort() };
}
