/** SQLite's column affinity, from the declared type by SQLite's own rules (datatype3.html, 3.1). */
export type SqliteAffinity = 'integer' | 'text' | 'blob' | 'real' | 'numeric'

export function sqliteAffinity(declaredType: string): SqliteAffinity {
  const type = declaredType.toUpperCase()
  if (type.includes('INT')) return 'integer'
  if (type.includes('CHAR') || type.includes('CLOB') || type.includes('TEXT')) return 'text'
  if (type.includes('BLOB') || type.trim() === '') return 'blob'
  if (type.includes('REAL') || type.includes('FLOA') || type.includes('DOUB')) return 'real'
  return 'numeric'
}

/** Affinities that turn a numeric text into a number on insert (the others store the text as it is). */
export function convertsTextToNumber(affinity: SqliteAffinity): boolean {
  return affinity === 'integer' || affinity === 'real' || affinity === 'numeric'
}

/**
 * Significant digits of a plain decimal (`[+-]digits[.digits]`, a digit on at least one side; no
 * exponent), from the first non-zero digit to the end (`-007.50` → 3, `0.0012` → 2); -1 for any other
 * text. One pass without a regular expression: it runs for every decimal cell of a load.
 */
function plainDecimalDigits(text: string): number {
  let at = text.charCodeAt(0) === 43 || text.charCodeAt(0) === 45 ? 1 : 0
  let digits = 0
  let seen = false
  let point = false
  for (; at < text.length; at++) {
    const c = text.charCodeAt(at)
    if (c >= 48 && c <= 57) {
      seen = true
      if (digits > 0 || c !== 48) digits++
    } else if (c === 46 && !point) point = true
    else return -1
  }
  return seen ? digits : -1
}

/**
 * A decimal text as the JS number SQLite would store from it in a column that converts text to numbers,
 * or the text itself when that is not certain. Binding the number spares SQLite parsing the text on
 * every insert. At most 15 significant digits (DBL_DIG) and no exponent: the double is then exact to
 * the text and both conversions agree (checked against SQLite itself in test/seed/sqlite-numbers.test.ts).
 */
export function sqliteNumber(text: string): number | string {
  const digits = plainDecimalDigits(text)
  return digits >= 0 && digits <= 15 ? Number(text) : text
}
