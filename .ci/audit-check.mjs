#!/usr/bin/env node
// The dependency audit of CI: `npm audit --omit=dev` (runtime dependencies only), failing on every high or
// critical advisory not listed, with a reason, in .ci/audit-allowlist.json. Policy: docs/dependencies.md.
//
//   node .ci/audit-check.mjs                 # runs npm audit
//   node .ci/audit-check.mjs --input a.json  # judges a saved `npm audit --json` report (for checking this script)
//
// When the audit endpoint cannot be reached (offline CI, a registry mirror without the advisory API: npm
// prints "audit endpoint returned an error"), it says so and exits 0: the step degrades, it does not fail CI.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const SEVERE = new Set(['high', 'critical']);
const allowPath = new URL('./audit-allowlist.json', import.meta.url);
const allow = JSON.parse(readFileSync(allowPath, 'utf8'));
const i = process.argv.indexOf('--input');

let text;
if (i !== -1) text = readFileSync(process.argv[i + 1], 'utf8');
else {
  try {
    text = execFileSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  } catch (e) {
    text = e.stdout ?? ''; // npm audit exits 1 when it finds anything
  }
}
let report;
try {
  report = JSON.parse(text);
} catch {
  report = undefined;
}
if (!report || !report.vulnerabilities) {
  const why = report?.message ?? report?.error?.summary ?? (text.trim().slice(0, 200) || 'no output');
  console.log(`audit: SKIPPED — npm audit could not reach its advisory endpoint (${why}). Nothing was checked; run \`node .ci/audit-check.mjs\` where the registry's audit API is reachable.`);
  process.exit(0);
}

/** Every severe advisory as `package GHSA/url`, from the `via` entries that are advisories (not other packages). */
const found = [];
for (const [name, v] of Object.entries(report.vulnerabilities)) {
  for (const via of v.via ?? []) {
    if (typeof via !== 'object' || !SEVERE.has(via.severity)) continue;
    found.push({ package: name, advisory: via.url ?? String(via.source), severity: via.severity, title: via.title, range: via.range });
  }
}
const now = new Date();
const listed = (f) => allow.advisories.find((a) => a.package === f.package && a.advisory === f.advisory && (!a.expires || new Date(a.expires) > now));
const unlisted = found.filter((f) => !listed(f));
const expired = allow.advisories.filter((a) => a.expires && new Date(a.expires) <= now);
for (const f of found) console.log(`${listed(f) ? 'allowed ' : 'FAIL    '} ${f.severity.padEnd(8)} ${f.package} ${f.advisory} — ${f.title}`);
for (const a of expired) console.log(`expired allowlist entry (review it again): ${a.package} ${a.advisory}`);
const counts = report.metadata?.vulnerabilities ?? {};
console.log(`audit: ${found.length} high/critical advisories in runtime dependencies, ${found.length - unlisted.length} allowlisted, ${unlisted.length} not (all severities: ${JSON.stringify(counts)})`);
process.exit(unlisted.length === 0 ? 0 : 1);
