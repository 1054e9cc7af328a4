/** @module The dashboard's JSON API against fake upstreams: values, audit links, per-panel errors, bounds, cache and rate limit. */
import type { FastifyInstance } from "fastify";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode } from "../../common/errors.js";
import { signJwt } from "../da/localserver/auth.js";
import { type FakeServer, fakeComet, fakeCoordinator, fakeDA, HEIGHT } from "./fakeUpstreams.js";
import { requireReadOnlyToken } from "./readToken.js";
import { createDashboard, type DashboardOptions } from "./server.js";

let comet: FakeServer;
let da: FakeServer;
let coord: FakeServer;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  [comet, da, coord] = await Promise.all([fakeComet(), fakeDA(), fakeCoordinator()]);
});
afterAll(async () => {
  await Promise.all([comet.close(), da.close(), coord.close()]);
});
afterEach(async () => {
  comet.behaviour = da.behaviour = coord.behaviour = "ok";
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

const READ_TOKEN = signJwt({ Allow: ["public", "read"] }, new Uint8Array(32));

function dashboard(o: Partial<DashboardOptions> = {}) {
  const app = createDashboard({
    rpcUrl: comet.url,
    daUrl: da.url,
    daToken: READ_TOKEN,
    coordinatorUrl: coord.url,
    // generous: a loaded CI machine must not turn a healthy fake into a timeout
    limits: { timeoutMs: 10_000, maxBytes: 1 << 20 },
    cacheMs: 0,
    ...o,
  });
  apps.push(app);
  return app;
}

async function panels(app: FastifyInstance): Promise<Record<string, any>> {
  const r = await app.inject({ method: "GET", url: "/api/v1/panels" });
  expect(r.statusCode).toBe(200);
  return r.json().panels;
}

describe("dashboard API with healthy upstreams", () => {
  it("reports chain height, block times and the block hash as audit", async () => {
    const p = await panels(dashboard());
    expect(p.chain.status).toBe("ok");
    expect(p.chain.data.height).toBe(String(HEIGHT));
    expect(p.chain.data.blockIntervals).toEqual([
      { height: 41, ms: 1000 },
      { height: 42, ms: 1000 },
    ]);
    expect(p.chain.audit[0].text).toContain("ABCDEF");
    expect(p.chain.audit[0].href).toBe(`${comet.url}/block?height=${HEIGHT}`);
  });

  it("lists validators by stake with monikers, power and uptime from the signing window", async () => {
    const p = await panels(dashboard());
    const v = p.validators.data.validators;
    expect(v.map((x: { moniker: string }) => x.moniker)).toEqual(["validator-0", "<img src=x onerror=alert(1)>"]);
    // validator-0: 5 missed of the last 100 (window 100, 200 counted) → 95 %; validator-1: 0 of 40 → 100 %
    expect(v[0].uptimePpm).toBe("950000");
    expect(v[0].votingPower).toBe("3000");
    expect(v[1].uptimePpm).toBe("1000000");
    // every ABCI read is audited with its path and the height it was answered at, as a URL that repeats it
    const stake = p.validators.audit.find((a: { label: string }) => a.label === "stake validators");
    expect(stake.text).toBe(`/dsdn.stake.v1.Query/Validators @ ${HEIGHT}`);
    const again = (await (await fetch(stake.href)).json()) as { result: { response: { height: string } } };
    expect(again.result.response.height).toBe(String(HEIGHT));
  });

  it("groups storage nodes by zone with capacity, on-chain status and coordinator health", async () => {
    const p = await panels(dashboard());
    expect(p.nodes.data.zones).toEqual([
      { zone: "zone-a", nodes: 2, active: 2, healthy: 1, capacityBytes: "1500" },
      { zone: "zone-b", nodes: 1, active: 0, healthy: 1, capacityBytes: "2000" },
    ]);
    expect(p.nodes.audit.map((a: { label: string }) => a.label)).toContain("coordinator health");
  });

  it("sums paid rewards, lists offences and the committee, and shows DA head with its data hash", async () => {
    const p = await panels(dashboard());
    expect(p.rewards.data).toMatchObject({ toNodes: "700", toValidators: "200", toTreasury: "100", paidTxs: "1" });
    expect(p.events.data.offences).toHaveLength(1);
    expect(p.events.data.offences[0]).toMatchObject({ kind: "data_corruption", slashed: "5000000", height: "30" });
    expect(p.events.data.jailed).toEqual([
      { operator: "nusa1op2", jailed: false, banned: false, inCooldown: true, totalSlashed: "5000000" },
    ]);
    expect(p.committee.data).toMatchObject({
      epoch: "3",
      committee: { status: "COMMITTEE_STATUS_ACTIVE", threshold: 2 },
    });
    expect(p.da.data).toMatchObject({ height: "77", dataHash: "DA7A" });
    expect(p.da.audit[0].text).toContain("DA7A");
  });

  it("shows modules the chain does not have yet as unavailable, not as errors", async () => {
    const p = await panels(dashboard());
    expect(p.modules.status).toBe("ok");
    expect(p.modules.data.oracle.status).toBe("unavailable");
    expect(p.modules.data.subsidy.status).toBe("unavailable");
    expect(p.modules.data.governance.status).toBe("unavailable");
    expect(p.modules.data.daFallback.status).toBe("unavailable");
  });

  it("serves the page with a strict content security policy and refuses unknown panels", async () => {
    const app = dashboard();
    const page = await app.inject({ method: "GET", url: "/" });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toContain("text/html");
    expect(page.headers["content-security-policy"]).toContain("script-src 'self'");
    expect(page.body).toContain('src="/app.js"');
    expect((await app.inject({ method: "GET", url: "/app.js" })).statusCode).toBe(200);
    expect((await app.inject({ method: "GET", url: "/api/v1/panels/__proto__" })).statusCode).toBe(400);
    expect((await app.inject({ method: "GET", url: "/../package.json" })).statusCode).toBe(404);
    const one = await app.inject({ method: "GET", url: "/api/v1/panels/chain" });
    expect(one.json().status).toBe("ok");
  });
});

describe("dashboard API with bad upstreams (attacks and outages)", () => {
  it("a CometBFT that never answers becomes a timeout error per panel, while DA still shows", async () => {
    comet.behaviour = "hang";
    // The same limit bounds the DA read that must succeed: 2 s, not 500 ms, so a loaded machine's slow (but
    // answering) DA is not mistaken for a timeout; the hanging CometBFT times out whatever the limit.
    const p = await panels(dashboard({ limits: { timeoutMs: 2000, maxBytes: 1 << 20 } }));
    for (const name of ["chain", "validators", "committee", "nodes", "rewards", "events", "modules"]) {
      expect(p[name].status, name).toBe("error");
      expect(p[name].error.code, name).toBe(ErrorCode.Timeout);
    }
    expect(p.da.status).toBe("ok");
  });

  it("an oversized upstream answer is refused, not buffered", async () => {
    comet.behaviour = "huge";
    // a generous time limit, so only the size limit can stop this read
    const p = await panels(dashboard({ limits: { timeoutMs: 20_000, maxBytes: 1 << 20 } }));
    expect(p.chain.status).toBe("error");
    expect(p.chain.error.code).toBe(ErrorCode.TooLarge);
  });

  it("an upstream HTTP error is a clear panel error", async () => {
    comet.behaviour = "http500";
    const p = await panels(dashboard());
    expect(p.chain.error.message).toContain("HTTP 500");
  });

  it("a hanging coordinator leaves node health unknown but the node list from the chain", async () => {
    coord.behaviour = "hang";
    const p = await panels(dashboard({ limits: { timeoutMs: 2000, maxBytes: 1 << 20 } }));
    expect(p.nodes.status).toBe("ok");
    expect(p.nodes.data.nodes).toHaveLength(3);
    expect(p.nodes.data.healthError).toContain("did not answer");
    expect(p.nodes.data.nodes.every((n: { healthy: unknown }) => n.healthy === null)).toBe(true);
  });

  it("without a DA read token the DA panel says so; the token never reaches the page", async () => {
    const p = await panels(dashboard({ daToken: undefined }));
    expect(p.da.status).toBe("error");
    expect(p.da.error.code).toBe(ErrorCode.Unauthorized);
    const withToken = await dashboard().inject({ method: "GET", url: "/api/v1/panels" });
    expect(withToken.body).not.toContain(READ_TOKEN);
  });

  it("refuses DA tokens that grant more than reading", () => {
    expect(requireReadOnlyToken(READ_TOKEN)).toBe(READ_TOKEN);
    for (const allow of [["public", "read", "write"], ["admin"], "read"])
      expect(() => requireReadOnlyToken(signJwt({ Allow: allow }, new Uint8Array(32)))).toThrow(/read token only/);
    expect(() => requireReadOnlyToken("a.%%%.b")).toThrow(/do not parse/);
  });

  it("polls within the cache time cost one upstream read per panel", async () => {
    const app = dashboard({ cacheMs: 60_000 });
    await panels(app);
    const before = new Map(comet.hits);
    await panels(app);
    await panels(app);
    expect(comet.hits).toEqual(before);
  });

  it("rate-limits a client that polls too fast", async () => {
    const app = dashboard({ rateLimitPerMinute: 3 });
    const codes: number[] = [];
    for (let i = 0; i < 4; i++)
      codes.push((await app.inject({ method: "GET", url: "/api/v1/panels/chain" })).statusCode);
    expect(codes).toEqual([200, 200, 200, 429]);
  });
});
