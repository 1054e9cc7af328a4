/**
 * No two-way dependency between chain modules, judged per module folder over shipped code (tests and
 * fixtures excluded: a fixture that wires the whole app would otherwise close every loop).
 * Run by `npm run lint` after .dependency-cruiser.cjs.
 */
const base = require("./.dependency-cruiser.cjs");

module.exports = {
  forbidden: [
    {
      name: "no-two-way-module-dependency",
      comment:
        "Module folders form a one-way graph: if committee/ imports receipts/, receipts/ may not import committee/ (type imports included).",
      severity: "error",
      scope: "folder",
      from: { path: "^modules/([^/]+)/?$" },
      to: { circular: true, path: "^modules/[^/]+/?$", pathNot: "^modules/$1/?$" },
    },
  ],
  options: {
    ...base.options,
    exclude: {
      path: ["^(node_modules|dist|dist-tools|proto/gen|test)/", "[.]test[.]ts$", "^modules/[^/]+/testFixture[.]ts$"],
    },
  },
};
