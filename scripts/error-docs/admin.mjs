// The admin API's section of docs/errors.md, rendered from ADMIN_ERRORS (admin-api/src/admin-errors.ts).
import { ADMIN_ERRORS } from '@agentcore/admin-api';
import { PUBLIC_ERROR_STATUS } from '@agentcore/policies';

/** Markdown of the admin API's stable codes: code, public code, status, meaning. */
export default function adminSection() {
  const rows = Object.entries(ADMIN_ERRORS).map(([code, e]) => `| \`${code}\` | \`${e.public}\` | ${PUBLIC_ERROR_STATUS[e.public]} | ${e.message.replaceAll('|', '\\|')} |`);
  return [
    '## Admin API (`ADMIN_*`)',
    '',
    'Every error the admin API raises has a stable `ADMIN_*` code inside the server; clients see its public code in',
    '`error.code` (the OpenAPI document lists this table under `x-agentcore-errors`). The store\'s codes',
    '(`ADMIN_STORE_*`, `ADMIN_POLICY_INVALID`) are part of the same table. The message below is the default; most',
    'answers carry a more specific one, and `details` (e.g. `details.fields` for invalid input).',
    '',
    '| code | public code | HTTP status | meaning |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
