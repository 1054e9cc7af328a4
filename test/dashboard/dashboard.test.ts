/**
 * @module The dashboard in a real headless browser (Debian's chromium driven by puppeteer-core) against a real
 * localnet started by localnet/start.sh (which also starts the dashboard): the page loads without console
 * errors, shows the height moving, every validator by moniker, storage nodes by zone, DA status, audit links
 * that lead to the same block; a screenshot is written and its path printed.
 */
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { QueryClient } from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupStakeExtension } from "../../clients/sdk/stake.js";
import { fakeComet, fakeCoordinator } from "../../node-agent/dashboard/fakeUpstreams.js";
import { createDashboard } from "../../node-agent/dashboard/server.js";
import { type Localnet, startLocalnet } from "../support/localnet.js";

// The browser globals the page functions use (the project compiles without the DOM lib).
declare const document: { querySelector(sel: string): { textContent: string | null; innerText: string } | null };
type Shown = { innerText: string; textContent: string | null; href: string };

const CHROMIUM = process.env.CHROMIUM_BIN ?? "/usr/bin/chromium";
let net: Localnet;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing: apt-get install -y chromium (or set CHROMIUM_BIN)`);
  net = await startLocalnet({ validators: 4, services: "all", storageNodes: 3 });
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // root in a container: chromium's own sandbox needs user namespaces it may not get
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
  });
  page = await browser.newPage();
  await page.setViewport({ width: 1440, height: 1100 });
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warn") problems.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${(e as Error).message}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
});

afterAll(async () => {
  await browser?.close();
  await net?.stop();
});

const text = (sel: string) => page.$eval(sel, (e) => (e as unknown as Shown).innerText);
const panel = (name: string) => `[data-panel="${name}"]`;

describe("dashboard in headless chromium on a live localnet", () => {
  it("localnet/start.sh starts the dashboard and publishes DASHBOARD_URL", () => {
    expect(net.env.DASHBOARD_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("loads, shows the height increasing, every validator by moniker, nodes by zone and DA", async () => {
    await page.goto(net.env.DASHBOARD_URL as string, { waitUntil: "load" });
    await page.waitForSelector("#chain-height .v", { timeout: 30_000 });
    const h1 = Number(await text("#chain-height .v"));
    expect(h1).toBeGreaterThan(0);
    await page.waitForFunction(
      (h) => Number(document.querySelector("#chain-height .v")?.textContent) > h,
      { timeout: 30_000 },
      h1,
    );
    expect(Number(await text("#chain-height .v"))).toBeGreaterThan(h1);

    // The monikers come from the chain itself (through the SDK), not from the dashboard.
    const q = setupStakeExtension(new QueryClient(await connectComet(net.rpcUrls[0] as string))).stake;
    const monikers = (await q.validators()).validators.map((v) => v.moniker);
    expect(monikers).toHaveLength(4);
    await page.waitForFunction(
      (sel, ms: string[]) => {
        const t = document.querySelector(sel)?.innerText ?? "";
        return ms.every((m) => t.includes(m)) && t.includes("%");
      },
      { timeout: 30_000 },
      `${panel("validators")} .body`,
      monikers,
    );

    // Three storage nodes, round robin over three zones, all active and healthy in the coordinator's view.
    await page.waitForFunction(
      (sel) => {
        const t = document.querySelector(sel)?.innerText ?? "";
        return ["zone-a", "zone-b", "zone-c"].every((z) => t.includes(z)) && (t.match(/healthy/g) ?? []).length >= 4;
      },
      { timeout: 30_000 },
      `${panel("nodes")} .body`,
    );
    const zoneRows = await page.$$eval(`${panel("nodes")} .body > table tr`, (rows) =>
      rows.slice(1).map((r) => [...r.querySelectorAll("td")].map((c) => c.textContent)),
    );
    expect(zoneRows.map((r) => r[0])).toEqual(["zone-a", "zone-b", "zone-c"]);
    for (const r of zoneRows) expect(r.slice(1, 4)).toEqual(["1", "1", "1"]);

    await page.waitForFunction(
      (sel) => /DA height\s*\d+/i.test(document.querySelector(sel)?.innerText ?? ""),
      { timeout: 30_000 },
      `${panel("da")} .body`,
    );
    await page.waitForFunction(
      (sel) => /epoch/i.test(document.querySelector(sel)?.innerText ?? ""),
      { timeout: 30_000 },
      `${panel("committee")} .body`,
    );

    // No panel with live data shows an error; the oracle and subsidy modules answer their params queries on this
    // chain, and the DA fallback state has no public source yet.
    for (const name of ["chain", "validators", "nodes", "da", "committee", "rewards", "events", "oracle", "subsidy"])
      expect(await page.$$(`${panel(name)} .error`), name).toHaveLength(0);
    for (const name of ["oracle", "subsidy"]) expect(await text(`${panel(name)} .body`), name).toContain("module live");
    expect(await text(`${panel("daFallback")} .body`)).toContain("not available yet");
  });

  it("audit links lead to the very block and query the panels were read from", async () => {
    const link = await page.$eval(`${panel("chain")} .audit a`, (a) => ({
      href: (a as unknown as Shown).href,
      text: a.textContent ?? "",
    }));
    const block = (await (await fetch(link.href)).json()) as { result: { block_id: { hash: string } } };
    expect(link.text).toContain(block.result.block_id.hash);
    const stakeLink = await page.$$eval(`${panel("validators")} .audit a`, (as) =>
      as.map((a) => (a as unknown as Shown).href).find((h) => h.includes("Validators")),
    );
    const answer = (await (await fetch(stakeLink as string)).json()) as { result: { response: { code: number } } };
    expect(answer.result.response.code).toBe(0);
  });

  it("keeps working without console errors and writes a screenshot", async () => {
    // a few more polls, so the trend charts have samples and late errors would show
    const h = Number(await text("#chain-height .v"));
    await page.waitForFunction(
      (x) => Number(document.querySelector("#chain-height .v")?.textContent) >= x + 3,
      { timeout: 60_000 },
      h,
    );
    const file = join(process.env.DSDN_SCREENSHOT_DIR ?? tmpdir(), `dsdn-dashboard-${process.pid}.png`);
    await page.screenshot({ path: file as `${string}.png`, fullPage: true });
    console.log(`dashboard screenshot: ${file}`);
    expect(existsSync(file)).toBe(true);
    expect(problems).toEqual([]);
  });
});

describe("dashboard in headless chromium against hostile and dead upstreams", () => {
  it("renders chain-supplied markup as text and never links a javascript: endpoint", async () => {
    const comet = await fakeComet();
    const coord = await fakeCoordinator();
    const app = createDashboard({ rpcUrl: comet.url, coordinatorUrl: coord.url, cacheMs: 0 });
    try {
      const url = await app.listen({ host: "127.0.0.1", port: 0 });
      const p = await browser.newPage();
      const errors: string[] = [];
      p.on("pageerror", (e) => errors.push((e as Error).message));
      p.on("dialog", (d) => {
        errors.push(`dialog: ${d.message()}`);
        void d.dismiss();
      });
      await p.goto(url, { waitUntil: "load" });
      await p.waitForFunction(
        (sel) => (document.querySelector(sel)?.innerText ?? "").includes("onerror"),
        { timeout: 30_000 },
        `${panel("validators")} .body`,
      );
      // the moniker "<img src=x onerror=alert(1)>" is shown as those characters, not as an element
      expect(await p.$$(`${panel("validators")} img`)).toHaveLength(0);
      const hrefs = await p.$$eval("a", (as) => as.map((a) => (a as unknown as Shown).href));
      expect(hrefs.filter((h) => !/^https?:/.test(h))).toEqual([]);
      expect(errors).toEqual([]);
      await p.close();
    } finally {
      await app.close();
      await Promise.all([comet.close(), coord.close()]);
    }
  });

  it("a dead chain RPC shows a clear error in each chain panel, not a blank page", async () => {
    const comet = await fakeComet();
    comet.behaviour = "hang";
    const app = createDashboard({ rpcUrl: comet.url, limits: { timeoutMs: 500, maxBytes: 1 << 20 } });
    try {
      const url = await app.listen({ host: "127.0.0.1", port: 0 });
      const p = await browser.newPage();
      const consoleErrors: string[] = [];
      p.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
      await p.goto(url, { waitUntil: "load" });
      await p.waitForSelector(`${panel("chain")} .error`, { timeout: 30_000 });
      for (const name of ["chain", "validators", "nodes", "committee"])
        expect(await p.$eval(`${panel(name)} .error`, (e) => (e as unknown as Shown).innerText), name).toMatch(
          /did not answer within 500 ms \(DSDN_TIMEOUT\)/,
        );
      expect(await p.$eval(`${panel("da")} .body`, (e) => (e as unknown as Shown).innerText)).toContain(
        "not available yet",
      );
      expect(consoleErrors).toEqual([]);
      const file = join(process.env.DSDN_SCREENSHOT_DIR ?? tmpdir(), `dsdn-dashboard-down-${process.pid}.png`);
      await p.screenshot({ path: file as `${string}.png` });
      console.log(`dashboard screenshot (chain RPC down): ${file}`);
      await p.close();
    } finally {
      await app.close();
      await comet.close();
    }
  });
});
