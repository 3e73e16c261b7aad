/**
 * CSV encoding of export rows: RFC 4180 (https://www.rfc-editor.org/rfc/rfc4180#section-2) plus
 * formula-injection neutralisation (OWASP "CSV Injection"): a text field starting with `=`, `+`,
 * `-` or `@` (or a tab / CR, which some spreadsheets strip before evaluating) gets a leading `'`,
 * so a spreadsheet shows it as text instead of evaluating it. Numbers are written as they are, so
 * a negative latency stays a number. The `'` is visible to tools that read the file as plain CSV.
 */

/** What a CSV cell may hold; null and undefined become an empty field. */
export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One field: neutralised if it could start a formula, quoted if it holds `,` `"` CR or LF. */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record, CRLF-terminated as RFC 4180 §2.1 asks. */
export function csvRow(values: readonly CsvValue[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}
