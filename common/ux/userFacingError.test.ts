import { describe, expect, it } from "vitest";
import { staleSocketServer } from "../../test/support/staleSocketServer.js";
import { BaseError, ConfigError, ErrorCode, InvalidArgumentError } from "../errors.js";
import { catalogEntry, isRegisteredCode, registeredCodes, UxCode } from "./catalog.js";
import { LANGS, resolveLang } from "./lang.js";
import { nearest } from "./suggest.js";
import { chainResultToUserFacing, formatUserFacing, toUserFacing } from "./userFacingError.js";

// Words that read the same in both languages because they are names or protocol terms.
const SAME_IN_BOTH = new Set(["Gas", "--gas", "--fees", "--gas-prices", "--verbose", "Retry-After", "CID", "mempool"]);

describe("error translation table: every registered code in both languages", () => {
  const codes = registeredCodes();
  it("has every off-chain ErrorCode and the CLI's own codes", () => {
    for (const c of [...Object.values(ErrorCode), ...Object.values(UxCode)]) expect(codes).toContain(c);
  });
  for (const code of codes) {
    it(`${code}: title, what happened and what to do, in en and id, id not a copy of en`, () => {
      const entry = catalogEntry(code);
      for (const lang of LANGS)
        for (const field of ["title", "whatHappened", "whatToDo"] as const) {
          const text = entry[lang][field];
          expect(text.trim().length, `${code} ${lang} ${field}`).toBeGreaterThan(3);
          expect(text, `${code} ${lang} ${field} leaks a placeholder`).not.toMatch(/TODO|\{(?!module\})/);
        }
      for (const field of ["title", "whatHappened", "whatToDo"] as const) {
        const en = entry.en[field];
        const id = entry.id[field];
        if (!SAME_IN_BOTH.has(en)) expect(id, `${code} ${field}: Indonesian identical to English`).not.toBe(en);
      }
    });
  }
});

describe("toUserFacing", () => {
  it("keeps a BaseError's human message as the detail and its code", () => {
    const u = toUserFacing(new InvalidArgumentError("give exactly one CID"), "id");
    expect(u.code).toBe(ErrorCode.InvalidArgument);
    expect(u.title).toBe("Masukan tidak valid");
    expect(u.detail).toBe("give exactly one CID");
    const c = toUserFacing(new ConfigError("chunkSize", "must be positive"), "en");
    expect(c.code).toBe(ErrorCode.InvalidConfig);
    expect(c.detail).toMatch(/chunkSize/);
  });

  it("never shows an unknown error's text or stack unless verbose", () => {
    const secret = new Error("ENOENT /home/alice/.dsdn/keyring/private.json at Object.openSync (node:fs:1)");
    const u = toUserFacing(secret, "en");
    expect(u.code).toBe(ErrorCode.Internal);
    const quiet = formatUserFacing(u, "en").join("\n");
    expect(quiet).not.toContain("/home/alice");
    expect(quiet).not.toMatch(/\bat\b.*node:fs/);
    expect(formatUserFacing(u, "en", true).join("\n")).toContain("/home/alice");
  });

  it("hides an Internal or Decode BaseError's message too (they may name internals)", () => {
    const u = toUserFacing(new BaseError(ErrorCode.Decode, "varint overflow at offset 7 in /var/x"), "en");
    expect(u.detail).toBeUndefined();
    expect(formatUserFacing(u, "en").join("\n")).not.toContain("/var/x");
  });

  it("a refused connection reads as Network; an abort as Timeout", () => {
    const fetchFailed = new TypeError("fetch failed", {
      cause: Object.assign(new Error("connect"), { code: "ECONNREFUSED" }),
    });
    expect(toUserFacing(fetchFailed, "en").code).toBe(UxCode.Network);
    expect(toUserFacing(new DOMException("aborted", "TimeoutError"), "en").code).toBe(ErrorCode.Timeout);
  });

  it("a kept-alive socket closed under a request, or an answer cut short, reads as Network with its cause", async () => {
    const srv = await staleSocketServer();
    try {
      await (await fetch(`${srv.url}/a`)).arrayBuffer();
      await new Promise((done) => setImmediate(done));
      const closed = await fetch(`${srv.url}/b`).catch((e: unknown) => e);
      const u = toUserFacing(closed, "id");
      expect(u.code).toBe(UxCode.Network);
      expect(u.detail).toBe("UND_ERR_SOCKET: other side closed");
      expect(formatUserFacing(u, "id").join("\n")).not.toContain("caused by");
      expect(formatUserFacing(u, "id", true).join("\n")).toMatch(
        /fetch failed[\s\S]*caused by: SocketError: other side closed/,
      );
    } finally {
      await srv.close();
    }
    const cutShort = new TypeError("terminated", {
      cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }),
    });
    expect(toUserFacing(cutShort, "en").code).toBe(UxCode.Network);
    for (const code of ["UND_ERR_CONNECT_TIMEOUT", "ETIMEDOUT", "ECONNABORTED", "ENETUNREACH", "UND_ERR_CLOSED"])
      expect(toUserFacing(Object.assign(new Error("x"), { code }), "en").code, code).toBe(UxCode.Network);
  });

  it("chain results: SDK codes get their own text, module codes name the module; both languages", () => {
    const funds = chainResultToUserFacing(
      { codespace: "sdk", code: 5, log: "spendable balance 1unusa is smaller than 9unusa" },
      "id",
    );
    expect(funds.code).toBe("DSDN_CHAIN_SDK_5");
    expect(funds.title).toBe("Saldo tidak cukup");
    const mod = chainResultToUserFacing({ codespace: "stake", code: 7, log: "unbonding period not over" }, "en");
    expect(mod.code).toBe(UxCode.ChainTxFailed);
    expect(mod.title).toBe("Transaction refused by stake");
    expect(mod.detail).toContain("unbonding period not over");
    // A CosmJS broadcast error is recognised from its text.
    const cosm = toUserFacing(
      new Error("Broadcasting transaction failed with code 13 (codespace: sdk). Log: insufficient fee"),
      "en",
    );
    expect(cosm.code).toBe("DSDN_CHAIN_SDK_13");
    expect(isRegisteredCode(cosm.code)).toBe(true);
    // `--gas auto` simulates first; CosmJS reports the chain's refusal as a failed query, without the codespace.
    const sim = toUserFacing(
      new Error("Query failed with (20): receipts: claim inside the challenge window: 12 s left"),
      "en",
    );
    expect(sim.code).toBe(UxCode.ChainRefused);
    expect(sim.detail).toContain("claim inside the challenge window");
  });

  it("every translation's code is a registered one, whatever is thrown", () => {
    const thrown: unknown[] = [
      new Error("x"),
      "a string",
      undefined,
      null,
      42,
      { codespace: "gov", code: 99 },
      ...Object.values(ErrorCode).map((c) => new BaseError(c, "m")),
    ];
    for (const t of thrown) for (const lang of LANGS) expect(isRegisteredCode(toUserFacing(t, lang).code)).toBe(true);
  });
});

describe("language choice", () => {
  it("flag, then DSDN_LANG, then LC_ALL, LC_MESSAGES, LANG; English otherwise", () => {
    expect(resolveLang(undefined, {})).toBe("en");
    expect(resolveLang(undefined, { LANG: "id_ID.UTF-8" })).toBe("id");
    expect(resolveLang(undefined, { LANG: "id_ID.UTF-8", LC_ALL: "en_US.UTF-8" })).toBe("en");
    expect(resolveLang(undefined, { LANG: "en_US", DSDN_LANG: "id" })).toBe("id");
    expect(resolveLang("en", { DSDN_LANG: "id" })).toBe("en");
    expect(resolveLang(undefined, { LANG: "fr_FR.UTF-8" })).toBe("en");
  });
});

describe("nearest command", () => {
  it("suggests the closest name for a typo, nothing for a stranger word", () => {
    const cmds = ["upload", "get", "delete", "status", "deploy", "estimate", "init", "dev"];
    expect(nearest("uplod", cmds)).toBe("upload");
    expect(nearest("stauts", cmds)).toBe("status");
    expect(nearest("dep", cmds)).toBe("deploy");
    expect(nearest("zzzzzzzzzz", cmds)).toBeUndefined();
  });
});
