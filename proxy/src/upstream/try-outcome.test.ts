import { expect, it } from 'vitest';
import { isFailedTry, type TryOutcome } from './try-outcome.js';

it.each<[TryOutcome, boolean]>([
  [{ status: 200 }, false],
  [{ status: 404 }, false],
  [{ status: 499 }, false],
  [{ status: 500 }, true],
  [{ status: 503 }, true],
  [{ error: 'connect' }, true],
  [{ error: 'timeout' }, true],
  [{ error: 'reset' }, true],
  [{}, false],
])('isFailedTry(%j) = %s', (o, expected) => {
  expect(isFailedTry(o)).toBe(expected);
});
