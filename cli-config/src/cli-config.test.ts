import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defaultOf, envName, flagName, helpText, loadCliConfig } from './cli-config.js';
import { hostPort, intFlag } from './host-port.js';

const Schema = z
  .object({
    listen: hostPort('127.0.0.1:8080').prefault('127.0.0.1:8080').describe('traffic address'),
    headersTimeoutMs: intFlag(100, 600_000).default(10_000).describe('time to receive request headers'),
    upstream: z.url().optional().describe('the backend'),
  })
  .superRefine((c, ctx) => {
    if (c.upstream === undefined) ctx.addIssue({ code: 'custom', path: ['upstream'], message: 'give the backend' });
  });
const spec = { envPrefix: 'APP_', usage: ['Usage: app [options]'], description: 'An app.', footer: ['Signals: none.'] };

describe('cli-config', () => {
  it('derives flag and environment names from the field', () => {
    expect(flagName('headersTimeoutMs')).toBe('headers-timeout-ms');
    expect(envName('APP_', 'headersTimeoutMs')).toBe('APP_HEADERS_TIMEOUT_MS');
  });

  it('prints help with each flag, its variable, its help and the schema default', () => {
    const text = helpText(Schema, spec);
    expect(text).toMatch(/--listen\s+APP_LISTEN\s+traffic address \(default 127\.0\.0\.1:8080\)/);
    expect(text).toMatch(/--headers-timeout-ms\s+APP_HEADERS_TIMEOUT_MS\s+time to receive request headers \(default 10000\)/);
    expect(text).toMatch(/--upstream\s+APP_UPSTREAM\s+the backend$/m);
    expect(text).toContain('Signals: none.');
    expect(defaultOf(Schema.shape.upstream)).toBeUndefined();
  });

  it('reads flags over environment and applies defaults', () => {
    const r = loadCliConfig(Schema, spec, ['--upstream', 'http://a:1'], { APP_UPSTREAM: 'http://b:2', APP_HEADERS_TIMEOUT_MS: '2000' });
    expect(r).toEqual({ ok: true, config: { listen: { host: '127.0.0.1', port: 8080 }, headersTimeoutMs: 2000, upstream: 'http://a:1' } });
  });

  it('names the flag and its variable in every error, and reports unknown flags and --help', () => {
    const r = loadCliConfig(Schema, spec, ['--headers-timeout-ms', '5'], {});
    expect(r.ok).toBe(false);
    if (!r.ok && !r.help) {
      expect(r.errors).toContain('--headers-timeout-ms (APP_HEADERS_TIMEOUT_MS): Too small: expected number to be >=100');
      expect(r.errors.some((e) => e.startsWith('--upstream (APP_UPSTREAM): give the backend'))).toBe(true);
    }
    const unknown = loadCliConfig(Schema, spec, ['--nope', 'x'], {});
    expect(unknown.ok === false && !unknown.help && unknown.errors[0]).toMatch(/nope.*see --help/);
    expect(loadCliConfig(Schema, spec, ['--help'], {})).toEqual({ ok: false, help: true });
  });
});
