// The sidecar's section of docs/errors.md, rendered from PROXY_REASONS (proxy/src/pipeline/reasons.ts).
import { PROXY_REASONS } from '@agentcore/proxy';
import { PUBLIC_ERROR_STATUS } from '@agentcore/policies';

const cell = (s) => String(s ?? '').replaceAll('|', '\\|').replaceAll('\n', ' ');

/** Markdown of the sidecar's reason codes: reason, status, public code, decision, when. */
export default function proxySection() {
  const rows = Object.entries(PROXY_REASONS).map(([reason, s]) =>
    `| \`${reason}\` | ${s.code === undefined ? '—' : PUBLIC_ERROR_STATUS[s.code]} | ${s.code === undefined ? '—' : `\`${s.code}\``} | ${s.decision} | ${cell(s.doc)} |`,
  );
  return [
    '## Sidecar reason codes',
    '',
    'The sidecar logs a `reason` with every decision (access log, `/metrics`, the control plane\'s access-log records).',
    'Reasons with a code are answered with that error; the others are not errors. `deny` = the request was refused,',
    '`error` = we or the upstream failed (5xx). Source: `PROXY_REASONS` in `proxy/src/pipeline/reasons.ts`; the order of',
    'the stages that produce them is `proxy/src/pipeline/stages.ts`.',
    '',
    '| reason | status | code | decision | when |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
