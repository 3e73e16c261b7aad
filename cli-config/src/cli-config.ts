/**
 * Configuration from flags and environment, declared once: each field of a zod object is one flag. The flag is the
 * kebab-case of the field name, its environment variable `PREFIX_FLAG_NAME`, its help the field's `.describe()`
 * text, and the default printed in `--help` is the schema's own `.default()` / `.prefault()` value. Flags win over
 * the environment; an empty value counts as absent.
 */
import { parseArgs } from 'node:util';
import type { z } from 'zod';

/** What a command says about itself around its flags. */
export interface CliSpec {
  /** e.g. `AGENTCORE_PROXY_` */
  envPrefix: string;
  /** usage lines printed first */
  usage: readonly string[];
  /** one paragraph under the usage */
  description: string;
  /** lines printed after the options (signals, environment-only settings) */
  footer?: readonly string[];
}

/** The outcome of reading the configuration; never an exception. */
export type ConfigResult<T> = { ok: true; config: T } | { ok: false; help: true } | { ok: false; help: false; errors: string[] };

/** `adminListen` → `admin-listen`. */
export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** `admin-listen` with prefix `AGENTCORE_PROXY_` → `AGENTCORE_PROXY_ADMIN_LISTEN`. */
export function envName(prefix: string, key: string): string {
  return prefix + flagName(key).toUpperCase().replace(/-/g, '_');
}

interface FieldDef {
  type: string;
  defaultValue?: unknown;
  innerType?: z.ZodType;
}

/** The default a field shows in `--help` (the input form for `.prefault`), or undefined. */
export function defaultOf(field: z.ZodType): unknown {
  let def = field._zod.def as FieldDef;
  for (let depth = 0; depth < 8; depth++) {
    if (def.type === 'default' || def.type === 'prefault') return def.defaultValue;
    if (def.innerType === undefined) return undefined;
    def = def.innerType._zod.def as FieldDef;
  }
  return undefined;
}

function describeDefault(value: unknown): string {
  if (value === undefined) return '';
  return ` (default ${typeof value === 'object' ? JSON.stringify(value) : String(value)})`;
}

/** The `--help` text: usage, description, then one line per field with its flag, environment variable and default. */
export function helpText(schema: z.ZodObject, spec: CliSpec): string {
  const lines = [...spec.usage, '', spec.description, '', 'Options (each also an environment variable):'];
  for (const [key, field] of Object.entries(schema.shape)) {
    const f = field as z.ZodType;
    lines.push(`  --${flagName(key).padEnd(27)} ${envName(spec.envPrefix, key).padEnd(43)} ${f.description ?? ''}${describeDefault(defaultOf(f))}`);
  }
  lines.push(`  --${'help'.padEnd(27)} ${''.padEnd(43)} this text`);
  if (spec.footer !== undefined && spec.footer.length > 0) lines.push('', ...spec.footer);
  return lines.join('\n');
}

/** Reads flags and environment against the schema; unknown flags and invalid values become messages naming the flag. */
export function loadCliConfig<S extends z.ZodObject>(schema: S, spec: CliSpec, argv: readonly string[], env: Record<string, string | undefined>): ConfigResult<z.output<S>> {
  const keys = Object.keys(schema.shape);
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
  for (const key of keys) options[flagName(key)] = { type: 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (e) {
    return { ok: false, help: false, errors: [`${(e as Error).message}; see --help`] };
  }
  if (values.help === true) return { ok: false, help: true };
  const input: Record<string, unknown> = {};
  for (const key of keys) {
    const v = values[flagName(key)] ?? env[envName(spec.envPrefix, key)];
    if (v !== undefined && v !== '') input[key] = v;
  }
  const r = schema.safeParse(input);
  if (r.success) return { ok: true, config: r.data };
  const flagOf = (key: PropertyKey | undefined): string =>
    typeof key === 'string' && keys.includes(key) ? `--${flagName(key)} (${envName(spec.envPrefix, key)})` : String(key ?? '(config)');
  return { ok: false, help: false, errors: r.error.issues.map((i) => `${flagOf(i.path[0])}: ${i.message}`) };
}
