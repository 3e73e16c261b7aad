/**
 * Architecture rules checked in CI (`npm run check:architecture`, run by .ci/run):
 * no import cycle inside a package (type-only imports count), and no test reaching into another app's `src`
 * (tests use their own app's code, `@agentcore/policies`, and — in e2e — the apps' packages).
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: split the shared part into its own module (types included).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-app-into-other-app-src',
      severity: 'error',
      comment: "One package (its tests included) imports another app's src; use that app's package (@agentcore/proxy, @agentcore/admin-api) or @agentcore/policies.",
      from: { path: '^(proxy|admin-api|admin-ui|policies|cli-config)/' },
      to: { path: '^(proxy|admin-api|admin-ui)/src/', pathNot: '^$1/' },
    },
    {
      name: 'no-e2e-into-app-src',
      severity: 'error',
      comment: 'e2e drives the apps through their packages (built dist), never their src.',
      from: { path: '^e2e/' },
      to: { path: '^(proxy|admin-api|admin-ui)/src/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.tests.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'types', 'default'] },
  },
};
