/** For component tests of forms: the message shown beside a field, and failing answers (500, network cut). */
import { apiError, type Handler } from './fake-admin-api';

/** The error text react-aria shows beside `input` (its field's FieldError), or undefined. */
export function errorBeside(input: HTMLElement): string | undefined {
  return input.closest('.react-aria-TextField, .react-aria-DatePicker, .react-aria-Select')?.querySelector('.field-error')?.textContent ?? undefined;
}

/** A 500 in the spec's error body. */
export const serverError: Handler = () => apiError(500, 'INTERNAL_ERROR', 'the admin API failed to process the request; report the request id');

/** A network cut: fetch rejects as browsers do. */
export const networkCut: Handler = () => {
  throw new TypeError('Failed to fetch');
};

/** Answers with each handler in turn (the last one repeats). */
export function inTurn(...handlers: Handler[]): Handler {
  let i = 0;
  return (req, body) => handlers[Math.min(i++, handlers.length - 1)]!(req, body);
}
