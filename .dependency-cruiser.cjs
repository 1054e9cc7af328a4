/**
 * Layering, enforced by `npm run lint` (dependency-cruiser). Allowed directions, lowest first:
 *   proto/gen, common  <-  chain-app (the framework)  <-  modules  <-  app, genesis (wiring)
 *                      <-  node-agent, clients (off-chain)  <-  bench, scripts
 * Tests (`*.test.ts`, beside the code or under test/) may import what they exercise, and fixtures only
 * from test/support/; shipped code never imports either. Folder-level cycles between modules are
 * checked by .dependency-cruiser-folders.cjs (over shipped code only, so fixtures cannot fake a cycle).
 */
const PROD = "^(common|chain-app|modules|app|genesis|node-agent|clients|proto)/";
const TEST_FILE = "[.]test[.]ts$";

module.exports = {
  forbidden: [
    {
      name: "common-is-the-bottom",
      comment: "common/ holds shared primitives; it imports nothing of the project but generated protobuf code.",
      severity: "error",
      from: { path: "^common/", pathNot: TEST_FILE },
      to: { path: "^(chain-app|modules|app|genesis|node-agent|clients|bench|scripts)/" },
    },
    {
      name: "framework-sees-no-module",
      comment:
        "chain-app/ is the framework: it sees modules only through chain-app/module.ts, and never the wiring above them.",
      severity: "error",
      from: { path: "^chain-app/", pathNot: TEST_FILE },
      to: { path: "^(modules|app|genesis|node-agent|clients|bench|scripts)/" },
    },
    {
      name: "modules-stay-on-chain",
      comment: "Chain modules never import off-chain code, the app wiring, or the genesis builder.",
      severity: "error",
      from: { path: "^modules/", pathNot: TEST_FILE },
      to: { path: "^(app|genesis|node-agent|clients|bench|scripts)/" },
    },
    {
      name: "wiring-stays-on-chain",
      comment: "The app wiring and genesis builder sit above modules and below the off-chain programs.",
      severity: "error",
      from: { path: "^(app|genesis)/", pathNot: TEST_FILE },
      to: { path: "^(node-agent|clients|bench|scripts)/" },
    },
    {
      name: "no-module-cycles",
      comment: "No two-way dependency between modules (a cycle that leaves one module folder for another).",
      severity: "error",
      from: { path: "^modules/([^/]+)/" },
      to: { circular: true, path: "^modules/", pathNot: "^modules/$1/" },
    },
    {
      name: "production-imports-no-tests",
      comment: "Shipped code never imports tests or test fixtures (they stay out of dist/).",
      severity: "error",
      from: { path: PROD, pathNot: TEST_FILE },
      to: { path: ["^test/", TEST_FILE] },
    },
    {
      name: "tests-import-only-support",
      comment: "A test may import test/support/ (fixtures), never another test file.",
      severity: "error",
      from: { path: TEST_FILE },
      to: { path: TEST_FILE },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|dist|dist-tools|proto/gen)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
