// docs/errors.md is generated from the error tables (scripts/write-error-docs.mjs over the built packages); this
// fails when a table changed and the document was not regenerated.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('docs/errors.md', () => {
  it('is what the error tables give', () => {
    const r = spawnSync(process.execPath, ['scripts/write-error-docs.mjs', '--check'], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
