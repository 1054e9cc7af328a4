/** @module The SSRF guard refuses every non-public address form an attacker would register. */
import { describe, expect, it } from "vitest";
import { endpointProblem, isNonPublicIp } from "./publicEndpoint.js";

describe("endpointProblem", () => {
  it.each([
    "http://169.254.169.254/latest/meta-data",
    "http://127.0.0.1:7400",
    "http://10.1.2.3",
    "http://172.20.0.1",
    "http://192.168.1.1",
    "http://100.64.0.1",
    "http://0.0.0.0:80",
    "http://[::1]:7400",
    "http://[fe80::1]",
    "http://[fd00::1]",
    "http://[::ffff:169.254.169.254]",
    "http://localhost:7400",
    "http://224.0.0.1",
  ])("refuses %s outside the localnet", async (url) => {
    expect(await endpointProblem(url)).toMatch(/not a public address/);
    expect(await endpointProblem(url, { allowPrivate: true })).toBeUndefined();
  });

  it("refuses names that resolve to a private address, schemes other than http(s), and credentials", async () => {
    const resolve = async () => ["93.184.216.34", "10.0.0.7"];
    expect(await endpointProblem("https://node.example", { resolve })).toMatch(/resolves to 10\.0\.0\.7/);
    expect(await endpointProblem("file:///etc/passwd", { allowPrivate: true })).toMatch(/only http/);
    expect(await endpointProblem("http://u:p@93.184.216.34", { allowPrivate: true })).toMatch(/credentials/);
  });

  it("accepts public addresses and names", async () => {
    expect(await endpointProblem("https://93.184.216.34:7400")).toBeUndefined();
    expect(await endpointProblem("https://[2606:4700::1111]")).toBeUndefined();
    expect(await endpointProblem("https://node.example", { resolve: async () => ["93.184.216.34"] })).toBeUndefined();
    expect(isNonPublicIp("8.8.8.8")).toBe(false);
  });
});
