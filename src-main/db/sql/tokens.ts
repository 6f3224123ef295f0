/**
 * Character classes and low-level skippers for the SQL splitter. Every skipper takes the position of a
 * token's first character and returns the position just past the token. An unterminated string or
 * comment runs to the end of the input: a half-written script must still be cut somewhere, and the
 * database reports the real error better than a lexer could.
 */

export const CH = {
  tab: 9,
  lf: 10,
  cr: 13,
  space: 32,
  bang: 33,
  dquote: 34,
  hash: 35,
  dollar: 36,
  squote: 39,
  lparen: 40,
  rparen: 41,
  star: 42,
  minus: 45,
  dot: 46,
  slash: 47,
  zero: 48,
  nine: 57,
  equals: 61,
  at: 64,
  upperE: 69,
  upperM: 77,
  lbracket: 91,
  backslash: 92,
  rbracket: 93,
  underscore: 95,
  backtick: 96,
  lowerE: 101,
  bom: 0xfeff,
} as const

export function isSpace(c: number): boolean {
  return c === CH.space || (c >= CH.tab && c <= CH.cr)
}

export function isDigit(c: number): boolean {
  return c >= CH.zero && c <= CH.nine
}

/** Non-ASCII characters count as letters, as in PostgreSQL and MySQL identifiers. */
export function isWordStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === CH.underscore || c >= 0x80
}

/** `$` continues a word so that `a$b` stays one identifier and is never read as a dollar quote. */
export function isWordPart(c: number): boolean {
  return isWordStart(c) || isDigit(c) || c === CH.dollar
}

/**
 * End of a word (or of a number, which shares the scan). `stop`, when given, is a custom MySQL
 * delimiter: the mysql client finds it anywhere outside strings and comments, even glued to a word
 * as in `END$$`, so the word must end where it begins.
 */
export function scanWord(src: string, pos: number, stop: string | null): number {
  const stopFirst = stop === null ? -1 : stop.charCodeAt(0)
  let i = pos + 1
  while (i < src.length) {
    const c = src.charCodeAt(i)
    if (!isWordPart(c) || (c === stopFirst && src.startsWith(stop as string, i))) break
    i++
  }
  return i
}

/** Position of the line break ending a `--` or `#` comment (the break itself is left to the caller). */
export function skipLineComment(src: string, pos: number): number {
  let i = pos
  while (i < src.length) {
    const c = src.charCodeAt(i)
    if (c === CH.lf || c === CH.cr) return i
    i++
  }
  return i
}

export function skipBlockComment(src: string, pos: number, nested: boolean): number {
  if (!nested) {
    const close = src.indexOf('*/', pos + 2)
    return close < 0 ? src.length : close + 2
  }
  let depth = 0
  let i = pos
  while (i < src.length) {
    const c = src.charCodeAt(i)
    const next = src.charCodeAt(i + 1)
    if (c === CH.slash && next === CH.star) {
      depth++
      i += 2
    } else if (c === CH.star && next === CH.slash) {
      i += 2
      if (--depth === 0) return i
    } else {
      i++
    }
  }
  return i
}

/**
 * A string or quoted identifier opened by the character at `pos`; a doubled quote is an escaped
 * quote. With `backslash`, `\` escapes the next character too (MySQL strings, PostgreSQL E'').
 */
export function skipQuoted(src: string, pos: number, backslash: boolean): number {
  const quote = src.charCodeAt(pos)
  let i = pos + 1
  while (i < src.length) {
    const c = src.charCodeAt(i)
    if (c === quote) {
      if (src.charCodeAt(i + 1) !== quote) return i + 1
      i += 2
    } else if (c === CH.backslash && backslash) {
      i += 2
    } else {
      i++
    }
  }
  return src.length
}

/** SQLite `[identifier]`: no escapes, the first `]` closes it. */
export function skipBracketed(src: string, pos: number): number {
  const close = src.indexOf(']', pos + 1)
  return close < 0 ? src.length : close + 1
}

/**
 * The PostgreSQL dollar-quote tag opening at `pos` (`$$` or `$tag$`), or null when the `$` starts
 * something else, such as the parameter `$1` (a tag cannot start with a digit).
 */
export function dollarTagAt(src: string, pos: number): string | null {
  let i = pos + 1
  if (i < src.length && src.charCodeAt(i) !== CH.dollar) {
    if (!isWordStart(src.charCodeAt(i))) return null
    while (i < src.length && (isWordStart(src.charCodeAt(i)) || isDigit(src.charCodeAt(i)))) i++
  }
  return src.charCodeAt(i) === CH.dollar ? src.slice(pos, i + 1) : null
}

/** Only the same tag closes a dollar quote, so `$$` inside a `$fn$` body is plain text. */
export function skipDollarQuoted(src: string, pos: number, tag: string): number {
  const close = src.indexOf(tag, pos + tag.length)
  return close < 0 ? src.length : close + tag.length
}

/** Counts lines for positions visited in increasing order, so a whole script costs one pass. */
export class LineCounter {
  private pos = 0
  private line = 1

  constructor(private readonly src: string) {}

  lineAt(target: number): number {
    const src = this.src
    for (let i = this.pos; i < target; i++) {
      const c = src.charCodeAt(i)
      // CRLF counts once; a lone CR (old Mac files) is a line break too, as editors show it.
      if (c === CH.lf || (c === CH.cr && src.charCodeAt(i + 1) !== CH.lf)) this.line++
    }
    if (target > this.pos) this.pos = target
    return this.line
  }
}
