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

const PLAIN_DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)$/

/** Digits from the first non-zero one to the end (`-007.50` → 3, `0.0012` → 2). */
function significantDigits(text: string): number {
  let digits = 0
  let leading = true
  for (let at = 0; at < text.length; at++) {
    const c = text.charCodeAt(at)
    if (c < 48 || c > 57) continue
    if (leading && c === 48) continue
    leading = false
    digits++
  }
  return digits
}

/**
 * A decimal text as the JS number SQLite would store from it in a column that converts text to numbers,
 * or the text itself when that is not certain. Binding the number spares SQLite parsing the text on
 * every insert. At most 15 significant digits (DBL_DIG) and no exponent: the double is then exact to
 * the text and both conversions agree (checked against SQLite itself in test/seed/sqlite-numbers.test.ts).
 */
export function sqliteNumber(text: string): number | string {
  if (!PLAIN_DECIMAL.test(text) || significantDigits(text) > 15) return text
  return Number(text)
}
