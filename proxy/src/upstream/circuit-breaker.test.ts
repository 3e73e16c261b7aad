import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCircuitBreaker, type Admission, type Admitted, type CircuitConfig } from './circuit-breaker.js';

const base: CircuitConfig = { minRequests: 20, windowMs: 10_000, halfOpenAfterMs: 5_000 };
/** Lets cockatiel's promise chains settle (the circuit updates a few microtasks after done()). */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

function admitted(a: Admission | Promise<Admission>): Admitted {
  if (a instanceof Promise || !a.ok) throw new Error(`expected a synchronous admission, got ${JSON.stringify(a)}`);
  return a;
}
async function run(cb: ReturnType<typeof createCircuitBreaker>, outcome: 'success' | 'failure'): Promise<void> {
  admitted(cb.admit()).done(outcome);
  await settle();
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(1_000_000);
});
afterEach(() => vi.useRealTimers());

describe('circuit breaker: consecutive failures', () => {
  it('opens after N consecutive failures and refuses immediately while open', async () => {
    const cb = createCircuitBreaker({ ...base, consecutiveFailures: 3 });
    const states: string[] = [];
    cb.onStateChange((s) => states.push(s));
    for (let i = 0; i < 2; i++) await run(cb, 'failure');
    expect(cb.state).toBe('closed');
    await run(cb, 'failure');
    expect(cb.state).toBe('open');
    expect(cb.admit()).toEqual({ ok: false, reason: 'CIRCUIT_OPEN', retryAfterSeconds: 5 });
    vi.setSystemTime(1_000_000 + 3_500);
    expect(cb.admit()).toEqual({ ok: false, reason: 'CIRCUIT_OPEN', retryAfterSeconds: 2 });
    expect(cb.inFlight).toBe(0);
    expect(states).toEqual(['open']);
  });

  it('a success resets the count', async () => {
    const cb = createCircuitBreaker({ ...base, consecutiveFailures: 3 });
    for (const o of ['failure', 'failure', 'success', 'failure', 'failure'] as const) await run(cb, o);
    expect(cb.state).toBe('closed');
  });

  it('half-open lets exactly one trial through; its success closes the circuit', async () => {
    const cb = createCircuitBreaker({ ...base, consecutiveFailures: 1 });
    await run(cb, 'failure');
    vi.setSystemTime(1_000_000 + 5_000);
    const trial = admitted(cb.admit());
    expect(cb.state).toBe('half-open');
    expect(cb.admit()).toEqual({ ok: false, reason: 'CIRCUIT_OPEN', retryAfterSeconds: 1 });
    trial.done('success');
    await settle();
    expect(cb.state).toBe('closed');
    expect(admitted(cb.admit()).ok).toBe(true);
  });

  it('a failed trial opens the circuit again for halfOpenAfterMs', async () => {
    const cb = createCircuitBreaker({ ...base, consecutiveFailures: 1 });
    await run(cb, 'failure');
    vi.setSystemTime(1_000_000 + 5_000);
    admitted(cb.admit()).done('failure');
    await settle();
    expect(cb.state).toBe('open');
    expect(cb.admit()).toMatchObject({ ok: false, reason: 'CIRCUIT_OPEN', retryAfterSeconds: 5 });
  });

  it('property: opens exactly when the run of consecutive failures reaches N', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 5 }), fc.array(fc.boolean(), { maxLength: 30 }), async (n, outcomes) => {
        const cb = createCircuitBreaker({ ...base, consecutiveFailures: n, halfOpenAfterMs: 1e9 });
        let run_ = 0;
        for (const ok of outcomes) {
          const a = cb.admit();
          if (run_ >= n) {
            expect(a).toMatchObject({ ok: false, reason: 'CIRCUIT_OPEN' });
            continue;
          }
          admitted(a).done(ok ? 'success' : 'failure');
          await settle();
          run_ = ok ? 0 : run_ + 1;
          expect(cb.state).toBe(run_ >= n ? 'open' : 'closed');
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('circuit breaker: failure ratio', () => {
  it('needs minRequests in the window, then opens above the ratio', async () => {
    const cb = createCircuitBreaker({ ...base, failureRatio: 0.5, minRequests: 10 });
    for (let i = 0; i < 5; i++) await run(cb, 'failure');
    expect(cb.state).toBe('closed'); // 5 < minRequests
    for (let i = 0; i < 4; i++) await run(cb, 'success');
    expect(cb.state).toBe('closed'); // 9 requests
    await run(cb, 'failure'); // 6/10 > 0.5
    expect(cb.state).toBe('open');
  });

  it('stays closed at or below the ratio', async () => {
    const cb = createCircuitBreaker({ ...base, failureRatio: 0.5, minRequests: 10 });
    for (let i = 0; i < 20; i++) await run(cb, i % 2 === 0 ? 'success' : 'failure'); // failures never exceed half
    expect(cb.state).toBe('closed');
  });

  it('either threshold opens the circuit when both are set', async () => {
    const cb = createCircuitBreaker({ ...base, failureRatio: 0.9, minRequests: 100, consecutiveFailures: 2 });
    await run(cb, 'failure');
    await run(cb, 'failure');
    expect(cb.state).toBe('open');
  });
});

describe('circuit breaker: concurrency limits (bulkhead)', () => {
  it('refuses beyond maxConcurrent without a queue, and frees the slot on done', async () => {
    const cb = createCircuitBreaker({ ...base, maxConcurrent: 2 });
    const a = admitted(cb.admit());
    admitted(cb.admit());
    expect(cb.inFlight).toBe(2);
    expect(cb.admit()).toEqual({ ok: false, reason: 'MAX_CONCURRENT', retryAfterSeconds: 1 });
    a.done('failure');
    a.done('failure'); // idempotent
    await settle();
    expect(cb.inFlight).toBe(1);
    expect(admitted(cb.admit()).ok).toBe(true);
    expect(cb.state).toBe('closed'); // limits only: failures never open anything
  });

  it('queues up to maxPending (admit returns a Promise), then refuses MAX_PENDING', async () => {
    const cb = createCircuitBreaker({ ...base, maxConcurrent: 1, maxPending: 1, consecutiveFailures: 5 });
    const first = admitted(cb.admit());
    const queued = cb.admit();
    expect(queued).toBeInstanceOf(Promise);
    expect(cb.pending).toBe(1);
    expect(cb.admit()).toEqual({ ok: false, reason: 'MAX_PENDING', retryAfterSeconds: 1 });
    first.done('success');
    const second = await queued;
    expect(second.ok).toBe(true);
    expect(cb.pending).toBe(0);
    expect(cb.inFlight).toBe(1);
  });

  it('a queued request is refused if the circuit opened while it waited', async () => {
    const cb = createCircuitBreaker({ ...base, maxConcurrent: 1, maxPending: 1, consecutiveFailures: 1 });
    const first = admitted(cb.admit());
    const queued = cb.admit();
    first.done('failure');
    expect(await queued).toMatchObject({ ok: false, reason: 'CIRCUIT_OPEN' });
    await settle();
    expect(cb.inFlight).toBe(0);
    expect(cb.pending).toBe(0);
  });

  it('N concurrent admissions: exactly maxConcurrent admitted, the rest refused', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 50 }), (max, n) => {
        const cb = createCircuitBreaker({ ...base, maxConcurrent: max });
        const results = Array.from({ length: n }, () => cb.admit() as Admission);
        expect(results.filter((r) => r.ok).length).toBe(Math.min(max, n));
      }),
    );
  });
});

it('without configuration every request is admitted', () => {
  const cb = createCircuitBreaker(undefined);
  for (let i = 0; i < 5; i++) admitted(cb.admit()).done('failure');
  expect(cb.state).toBe('closed');
});
