/**
 * The rate-limit form: its values as typed, and their check with the policy contract's own `RateLimit` zod schema
 * (the schema the admin API validates the same body with), plus the bundle rule that `burst` is for GCRA only.
 */
import { RateLimit } from '@agentcore/policies';
import type { RateLimitDefinition, RateLimitInput } from '../../api/rate-limits-api';

/** Quota windows, in the order the form shows them. */
export const QUOTA_PERIODS = ['hour', 'day', 'month'] as const;
export type QuotaPeriod = (typeof QUOTA_PERIODS)[number];
/** What a counter can be kept per; empty = one counter for the whole service. */
export const SCOPES = ['client', 'endpoint', 'resource', 'address'] as const;
export type Scope = (typeof SCOPES)[number];

/** The form's values as typed (numbers as text, so an invalid entry stays visible with its message). */
export interface RateLimitFormValues {
  id: string;
  scope: Scope[];
  hasRate: boolean;
  requests: string;
  periodSeconds: string;
  burst: string;
  algorithm: 'gcra' | 'fixed-window';
  quotas: Record<QuotaPeriod, string>;
}

/** A form field that can carry a message: `quota.day` for a quota. */
export type RateLimitField = 'id' | 'scope' | 'rate' | 'requests' | 'periodSeconds' | 'burst' | 'algorithm' | `quota.${QuotaPeriod}`;

export const EMPTY_RATE_LIMIT: RateLimitFormValues = {
  id: '',
  scope: ['client'],
  hasRate: true,
  requests: '',
  periodSeconds: '60',
  burst: '',
  algorithm: 'gcra',
  quotas: { hour: '', day: '', month: '' },
};

/** The form values of a stored definition (to edit it). */
export function formOf(d: RateLimitDefinition): RateLimitFormValues {
  const quotas = { hour: '', day: '', month: '' };
  for (const q of d.quotas) quotas[q.period] = String(q.requests);
  return {
    id: d.id,
    scope: [...d.scope],
    hasRate: !!d.rate,
    requests: d.rate ? String(d.rate.requests) : '',
    periodSeconds: d.rate ? String(d.rate.periodSeconds) : '60',
    burst: d.rate?.burst === undefined ? '' : String(d.rate.burst),
    algorithm: d.algorithm,
    quotas,
  };
}

const NUMBER_RE = /^\s*-?\d+(\.\d+)?\s*$/;

/** A typed number: undefined when empty, NaN when not a number. */
const numberOf = (s: string): number | undefined => (s.trim() === '' ? undefined : NUMBER_RE.test(s) ? Number(s) : Number.NaN);

interface ZodIssueLike {
  code: string;
  path: readonly PropertyKey[];
  message: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  expected?: string;
}

/** A zod issue as a sentence for the person typing (the contract's custom messages are kept as they are). */
export function issueMessage(i: ZodIssueLike): string {
  if (i.code === 'too_small' && i.minimum !== undefined) return i.inclusive === false ? `Must be more than ${i.minimum}` : `At least ${i.minimum}`;
  if (i.code === 'too_big' && i.maximum !== undefined) return `At most ${Number(i.maximum).toLocaleString('en')}`;
  if (i.code === 'invalid_type' && i.expected === 'int') return 'Enter a whole number';
  if (i.code === 'invalid_type' && i.expected === 'number') return 'Enter a number';
  if (i.code === 'invalid_format' || i.code === 'invalid_string') return `Use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`;
  return i.message;
}

/** The form field an issue path of the definition points at (`rate.burst` → burst, `quotas.1.requests` → that quota's period). */
export function fieldOfPath(path: readonly PropertyKey[], quotaPeriods: readonly QuotaPeriod[]): RateLimitField | undefined {
  const [head, second] = path.map(String);
  if (head === 'id' || head === 'scope' || head === 'algorithm') return head;
  if (head === 'rate') return second === 'requests' || second === 'periodSeconds' || second === 'burst' ? second : 'rate';
  if (head === 'quotas') {
    const period = quotaPeriods[Number(second)];
    return period ? `quota.${period}` : undefined;
  }
  return undefined;
}

/** The definition the form describes, or the message of each invalid field (nothing is sent then). */
export function checkRateLimitForm(v: RateLimitFormValues): { definition: RateLimitInput; errors: Record<never, string> } | { definition?: undefined; errors: Partial<Record<RateLimitField, string>> } {
  const errors: Partial<Record<RateLimitField, string>> = {};
  const num = (field: RateLimitField, s: string) => {
    const n = numberOf(s);
    if (Number.isNaN(n)) errors[field] = 'Enter a number';
    return n;
  };
  const requests = num('requests', v.requests);
  const periodSeconds = num('periodSeconds', v.periodSeconds);
  const burst = num('burst', v.burst);
  const periods = QUOTA_PERIODS.filter((p) => v.quotas[p].trim() !== '');
  const quotas = periods.map((period) => ({ period, requests: num(`quota.${period}`, v.quotas[period]) as number }));
  if (v.hasRate && requests === undefined) errors.requests = 'Enter how many requests';
  if (v.hasRate && periodSeconds === undefined) errors.periodSeconds = 'Enter the period in seconds';
  const rate = v.hasRate ? { requests: requests as number, periodSeconds: periodSeconds as number, ...(burst === undefined ? {} : { burst }) } : undefined;
  const candidate = { id: v.id.trim(), scope: v.scope, ...(rate ? { rate } : {}), quotas, algorithm: v.algorithm };
  const parsed = RateLimit.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = fieldOfPath(issue.path, periods);
      if (field && !errors[field]) errors[field] = field === 'id' && candidate.id === '' ? 'Enter an id' : issueMessage(issue as ZodIssueLike);
    }
  }
  // A bundle-level rule of the contract (the API refuses it when compiling the would-be bundle).
  if (v.hasRate && burst !== undefined && v.algorithm === 'fixed-window' && !errors.burst) errors.burst = 'Burst applies to the GCRA algorithm only: leave it empty';
  if (Object.keys(errors).length || !parsed.success) return { errors };
  return { definition: candidate as RateLimitInput, errors: {} };
}

/** The form field of an API field-path error: `body.rate.burst`, `body.quotas.0.requests` or a bundle path `rateLimits[3].rate.burst`. */
export function fieldOfApiPath(path: string, sentQuotaPeriods: readonly QuotaPeriod[]): RateLimitField | undefined {
  const rest = path.replace(/^body\./, '').replace(/^rateLimits(\[\d+\]|\.\d+)\./, '');
  const parts = rest.split(/[.[\]]+/).filter(Boolean);
  return fieldOfPath(parts, sentQuotaPeriods);
}
