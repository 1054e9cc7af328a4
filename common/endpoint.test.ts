import { describe, expect, it } from "vitest";
import { parseEndpoint } from "./endpoint.js";

describe("node endpoint grammar (finding 10: no URL parser in block processing)", () => {
  it.each([
    ["https://node.example:9443", { scheme: "https", host: "node.example", port: 9443, path: "" }],
    ["http://127.0.0.1:26000/", { scheme: "http", host: "127.0.0.1", port: 26000, path: "/" }],
    ["https://[::1]:443/dsdn/v1", { scheme: "https", host: "[::1]", port: 443, path: "/dsdn/v1" }],
    ["https://a-b.c-d.example", { scheme: "https", host: "a-b.c-d.example", port: undefined, path: "" }],
  ])("accepts %s", (s, want) => {
    expect(parseEndpoint(s)).toEqual(want);
  });

  // Each of these is accepted (and silently rewritten) by Node's WHATWG URL parser.
  it.each([
    "https://node.example:9443\t",
    "https://node\n.example",
    "http:\\\\node.example",
    "http://user:pw@node.example",
    "http://0x7f.1/",
    "http://127.1",
    "HTTPS://Node.Example",
    "https://node.example/?q=1",
    "https://node.example/#frag",
    "https://node.example/a/../b",
    "https://node.example:0",
    "https://node.example:065",
    "https://node.example:99999",
    "https://-node.example",
    "https://node..example",
    "https://256.1.1.1",
    "https://01.2.3.4",
    "https://xn--node.example%2F",
    "ftp://node.example",
    " https://node.example",
    "https://",
  ])("refuses %j", (s) => {
    expect(typeof parseEndpoint(s)).toBe("string");
  });

  it("documents why: Node's URL accepts what the grammar refuses", () => {
    expect(() => new URL("http://0x7f.1/")).not.toThrow();
    expect(new URL("http://0x7f.1/").hostname).toBe("127.0.0.1");
    expect(new URL("https://node.example:9443\t").host).toBe("node.example:9443");
  });
});
