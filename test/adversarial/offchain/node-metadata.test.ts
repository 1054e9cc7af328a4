/**
 * Attack on a real localnet (validator, local DA, 3 storage nodes registered on chain, coordinator, ingress —
 * all real processes from localnet/start.sh): an admitted storage node posts its own, validly signed
 * NodeRegistered to DA claiming another zone, a capacity of 2^62 bytes and the cloud metadata address
 * 169.254.169.254 as its endpoint. Zone, capacity and endpoint come from the chain (MsgRegisterNode): the
 * coordinator's registry, its placements (which name the chain height they used) and an independent
 * `dsdn-node placement` replay must all be unchanged, and the node stays as the chain registered it.
 * Needs `npm run build` first.
 */
import { execFile } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cidForBytes } from "../../../common/cid.js";
import { projectRoot } from "../../../common/paths.js";
import { readSecretFile } from "../../../common/privateFile.js";
import { CoordinatorClient } from "../../../node-agent/coordinator/client.js";
import { signNodeRegistration } from "../../../node-agent/da/events/bindings.js";
import { silentLogger } from "../../../node-agent/da/events/logger.js";
import { EventPublisher } from "../../../node-agent/da/events/publisher.js";
import { createDALayer } from "../../../node-agent/da/replay/createDALayer.js";
import { loadOrCreateIdentity } from "../../../node-agent/storage/identity.js";
import { NodeClass } from "../../../proto/gen/dsdn/da/v1/events.js";
import { type Localnet, startLocalnet, waitFor } from "../../support/localnet.js";

const run = promisify(execFile);
const root = projectRoot();
let net: Localnet;
let coord: CoordinatorClient;

beforeAll(async () => {
  net = await startLocalnet({ validators: 1, storageNodes: 3 });
  coord = new CoordinatorClient(net.env.DSDN_COORDINATOR_URL!);
}, 240_000);

afterAll(async () => {
  await net?.stop();
});

describe("localnet secrets", () => {
  it(".localnet/env is 0600 and names token files, never tokens; readers get the read token", () => {
    expect(statSync(join(net.dir, "env")).mode & 0o777).toBe(0o600);
    const text = readFileSync(join(net.dir, "env"), "utf8");
    expect(text).not.toMatch(/DA_AUTH_TOKEN=/);
    expect(net.env.DA_AUTH_TOKEN_FILE).toBe(join(net.dir, "da", "read.token"));
    for (const perm of ["read", "write", "admin"])
      expect(text).not.toContain(readFileSync(join(net.dir, "da", `${perm}.token`), "utf8").trim());
  });
});

describe("node metadata comes from the chain, not from the node's own DA events", () => {
  it("a node's self-published registration (zone, capacity 2^62, 169.254.169.254) changes nothing", async () => {
    const before = (await coord.nodes()).nodes;
    expect(before).toHaveLength(3);
    const cids = Array.from({ length: 30 }, (_, i) => cidForBytes(new TextEncoder().encode(`probe ${i}`)));
    const placementsBefore = (await coord.placements(cids)).placements;

    // The attacker runs node 0: it holds node 0's key and can post to DA (anyone can on Celestia).
    const sdir = join(net.dir, "storage", "0");
    const identity = await loadOrCreateIdentity(sdir);
    const me = before.find((n) => n.nodeId === identity.nodeId)!;
    expect(me.status).toBe("active");
    const da = await createDALayer({
      url: net.env.DA_RPC_URL!,
      token: readSecretFile(net.env.DA_WRITE_TOKEN_FILE!, "DA write token"),
      namespace: net.env.DA_NAMESPACE!,
    });
    const head = await da.head();
    const evil = signNodeRegistration(
      {
        nodeId: Buffer.from(identity.publicKey),
        operator: me.operator,
        zone: "zone-evil",
        class: NodeClass.NODE_CLASS_DATACENTER,
        capacityBytes: 1n << 62n,
        endpoint: "http://169.254.169.254",
        tlsFingerprint: Buffer.alloc(32),
        registeredAtHeight: head,
      },
      identity.secretKey,
    );
    const pub = await EventPublisher.open({
      da,
      secretKey: identity.secretKey,
      outboxPath: join(net.dir, "attacker-outbox.sqlite"),
      maxDelayMs: 10,
      logger: silentLogger,
    });
    const [seq] = await pub.publishMany([{ type: "nodeRegistered", value: evil }]);
    const ref = await pub.waitPosted(seq!);
    await pub.close();
    await da.close();
    // Wait until the coordinator has replayed past the attacker's blob.
    await waitFor(async () => BigInt((await coord.nodes()).daHeight) > ref.height, 60_000, "coordinator replay");

    const after = (await coord.nodes()).nodes.find((n) => n.nodeId === identity.nodeId)!;
    expect({ zone: after.zone, endpoint: after.endpoint, status: after.status }).toEqual({
      zone: me.zone,
      endpoint: me.endpoint,
      status: "active",
    });
    const placementsAfter = (await coord.placements(cids)).placements;
    const endpoints = placementsAfter.flatMap((p) => p.nodes.map((n) => n.endpoint));
    expect(endpoints.some((e) => e.includes("169.254"))).toBe(false);
    expect(placementsAfter.map((p) => p.nodes.map((n) => n.nodeId))).toEqual(
      placementsBefore.map((p) => p.nodes.map((n) => n.nodeId)),
    );
    expect(placementsAfter.every((p) => p.chainHeight !== undefined && BigInt(p.chainHeight) > 0n)).toBe(true);

    // An independent replay, reading the chain at the placement's recorded height, agrees.
    const { stdout } = await run(
      "node",
      [
        join(root, "bin/dsdn-node.js"),
        "placement",
        cids[0]!,
        "--rpc",
        net.env.RPC_URL!,
        "--json",
        "--chain-height",
        String(placementsAfter[0]!.chainHeight),
      ],
      { cwd: root, env: { ...process.env, ...net.env }, maxBuffer: 1 << 22 },
    );
    const indep = JSON.parse(stdout) as { nodes: { nodeId: string; endpoint: string; score: string }[] };
    expect(indep.nodes.map((n) => [n.nodeId, n.score])).toEqual(
      placementsAfter[0]!.nodes.map((n) => [n.nodeId, n.score]),
    );
  });
});
