/** RFC 4515 escaping of values put into LDAP search filters, and filling a filter template. */

/** Escapes `\ * ( )` and NUL (and every other control character) as `\xx`, so user input is a literal value. */
export function escapeFilterValue(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\' || ch === '*' || ch === '(' || ch === ')' || code < 0x20 || code === 0x7f) {
      out += '\\' + code.toString(16).padStart(2, '0');
    } else out += ch;
  }
  return out;
}

/** Replaces each `{name}` in `template` by the escaped value; an unknown placeholder is an error. */
export function fillFilter(template: string, values: Record<string, string>): string {
  return template.replace(/\{([a-z]+)\}/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`unknown placeholder {${name}} in LDAP filter`);
    return escapeFilterValue(v);
  });
}

/** The value of a DN's first RDN (`cn=Platform Team,ou=groups,…` → `Platform Team`), unescaped. */
export function firstRdnValue(dn: string): string {
  let value = '';
  let inValue = false;
  for (let i = 0; i < dn.length; i++) {
    const ch = dn.charAt(i);
    if (ch === '\\' && i + 1 < dn.length) {
      const hex = dn.slice(i + 1, i + 3);
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        value += inValue ? String.fromCharCode(parseInt(hex, 16)) : '';
        i += 2;
      } else {
        value += inValue ? dn.charAt(i + 1) : '';
        i += 1;
      }
      continue;
    }
    if (!inValue) {
      if (ch === '=') inValue = true;
      continue;
    }
    if (ch === ',' || ch === '+') break;
    value += ch;
  }
  return value.trim();
}
