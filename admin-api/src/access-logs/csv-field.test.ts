import { describe, expect, it } from 'vitest';
import { csvField, csvRow, type CsvValue } from './csv-field.js';

describe('csvField', () => {
  it.each<[CsvValue, string]>([
    ['plain', 'plain'],
    ['', ''],
    [null, ''],
    [undefined, ''],
    [42, '42'],
    [-1.5, '-1.5'],
    [true, 'true'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    ['cr\rhere', '"cr\rhere"'],
    ['crlf\r\n', '"crlf\r\n"'],
    ['=1+2', "'=1+2"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\t=1"],
    ['\r=1', '"\'\r=1"'],
    ['=HYPERLINK("http://x"),y', '"\'=HYPERLINK(""http://x""),y"'],
    ["'already", "'already"],
    ['a=b', 'a=b'],
    ['/items/-1', '/items/-1'],
  ])('%j → %j', (value, written) => {
    expect(csvField(value)).toBe(written);
  });

  it('ends each row with CRLF (RFC 4180 §2.1)', () => {
    expect(csvRow(['a', 1, null, 'b,c'])).toBe('a,1,,"b,c"\r\n');
  });
});
