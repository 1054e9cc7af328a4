/** `dsdn job output` against a node: any completed job's output (a MicroVM job's up to 64 MiB) is fetched; a node streaming endless bytes is cut off. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { cidForBytes } from "../../common/cid.js";
import type { JobStatus } from "../../node-agent/compute/service.js";
import { ComputeClient } from "./computeClient.js";

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** A node whose `/outputs/:cid` runs `handler`; returns its endpoint. */
async function node(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const status = (outputCid: string, endpoint: string, outputSize: number): JobStatus =>
  ({
    jobId: "ab".repeat(32),
    state: "completed",
    outputCid,
    outputEndpoints: [endpoint],
    executionCommitment: { outputSize: String(outputSize) },
  }) as unknown as JobStatus;

describe("ComputeClient.output", () => {
  it("fetches a 20 MiB output (a MicroVM job may write up to 64 MiB), streamed without a content-length", async () => {
    const out = new Uint8Array(20 << 20).map((_, i) => i % 251);
    const ep = await node((_req, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      for (let o = 0; o < out.length; o += 1 << 20) res.write(out.subarray(o, o + (1 << 20)));
      res.end();
    });
    const got = await new ComputeClient("http://unused").output(status(cidForBytes(out), ep, out.length));
    expect(got.length).toBe(out.length);
    expect(cidForBytes(got)).toBe(cidForBytes(out));
  }, 60_000);

  it("a node streaming more than the committed output size is cut off there, never read to the end", async () => {
    const real = new TextEncoder().encode("the real output\n");
    let sent = 0;
    let closed = false;
    const ep = await node((_req, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      const chunk = Buffer.alloc(1 << 20, 7);
      const pump = () => {
        // An endless body (10 GB would do): stops only when the client goes away.
        while (!closed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
      };
      res.on("close", () => {
        closed = true;
      });
      pump();
    });
    await expect(new ComputeClient("http://unused").output(status(cidForBytes(real), ep, real.length))).rejects.toThrow(
      /no node served output/,
    );
    expect(sent).toBeLessThan(32 << 20); // the committed size, plus what socket buffers held
  }, 60_000);
});
