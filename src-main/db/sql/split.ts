import type { SqlStatement } from '../adapter.js'
import {
  CH,
  LineCounter,
  dollarTagAt,
  isDigit,
  isSpace,
  isWordStart,
  scanWord,
  skipBlockComment,
  skipBracketed,
  skipDollarQuoted,
  skipLineComment,
  skipQuoted,
} from './tokens.js'

export type SqlDialect = 'postgres' | 'mysql' | 'sqlite'

/**
 * Statements whose bodies hold semicolons (procedures, triggers, SQL-standard function bodies) are
 * recognised by their first words, and only then are BEGIN / CASE / END counted: elsewhere those
 * words are ordinary (`BEGIN;` starts a transaction, `CASE … END` is an expression).
 */
interface CompoundRules {
  /** Words that may stand between CREATE and the object kind, e.g. OR REPLACE. */
  modifiers: ReadonlySet<string>
  /** Object kinds whose definitions may contain a BEGIN … END body. */
  objects: ReadonlySet<string>
  /** MySQL `DEFINER = user@host` may appear before the object kind. */
  definer: boolean
  /** PostgreSQL only opens a body with BEGIN ATOMIC; a bare BEGIN there is an argument name. */
  beginNeedsAtomic: boolean
  /** MariaDB runs `BEGIN NOT ATOMIC … END` as a statement of its own. */
  anonymousBlocks: boolean
}

interface DialectRules {
  /** PostgreSQL block comments nest: `/* a /* b *\/ c *\/` is one comment. */
  nestedComments: boolean
  /** MySQL needs whitespace after `--`; `1--1` is arithmetic there. */
  dashCommentNeedsSpace: boolean
  hashComments: boolean
  /** MySQL `/*! … *\/` and MariaDB `/*M! … *\/` run as SQL, so they belong to the statement. */
  executableComments: boolean
  /** MySQL reads backslash escapes in both quote styles; standard SQL strings keep `\` literal. */
  backslashEscapes: boolean
  /** PostgreSQL E'…' strings take backslash escapes even though plain strings do not. */
  escapeStrings: boolean
  dollarQuotes: boolean
  backticks: boolean
  brackets: boolean
  /** The mysql client's `DELIMITER xx` command. */
  delimiterCommand: boolean
  /** psql never splits inside parentheses, which CREATE RULE … DO (a; b) relies on. */
  parensHoldDelimiter: boolean
  compound: CompoundRules
}

const DIALECTS: Record<SqlDialect, DialectRules> = {
  postgres: {
    nestedComments: true,
    dashCommentNeedsSpace: false,
    hashComments: false,
    executableComments: false,
    backslashEscapes: false,
    escapeStrings: true,
    dollarQuotes: true,
    backticks: false,
    brackets: false,
    delimiterCommand: false,
    parensHoldDelimiter: true,
    compound: {
      modifiers: new Set(['OR', 'REPLACE']),
      objects: new Set(['FUNCTION', 'PROCEDURE']),
      definer: false,
      beginNeedsAtomic: true,
      anonymousBlocks: false,
    },
  },
  mysql: {
    nestedComments: false,
    dashCommentNeedsSpace: true,
    hashComments: true,
    executableComments: true,
    backslashEscapes: true,
    escapeStrings: false,
    dollarQuotes: false,
    backticks: true,
    brackets: false,
    delimiterCommand: true,
    parensHoldDelimiter: false,
    compound: {
      modifiers: new Set(['OR', 'REPLACE', 'AGGREGATE']),
      objects: new Set(['PROCEDURE', 'FUNCTION', 'TRIGGER', 'EVENT']),
      definer: true,
      beginNeedsAtomic: false,
      anonymousBlocks: true,
    },
  },
  sqlite: {
    nestedComments: false,
    dashCommentNeedsSpace: false,
    hashComments: false,
    executableComments: false,
    backslashEscapes: false,
    escapeStrings: false,
    dollarQuotes: false,
    backticks: true,
    brackets: true,
    delimiterCommand: false,
    parensHoldDelimiter: false,
    compound: {
      modifiers: new Set(['TEMP', 'TEMPORARY']),
      objects: new Set(['TRIGGER']),
      definer: false,
      beginNeedsAtomic: false,
      anonymousBlocks: false,
    },
  },
}

/** `END IF`, `END LOOP`, … close a MySQL control statement, not a BEGIN block. */
const END_OF_CONTROL = new Set(['IF', 'LOOP', 'WHILE', 'REPEAT'])

const DEFAULT_DELIMITER = ';'

/** Where a statement stands in its first words, which decide whether BEGIN … END is tracked. */
type Prelude = 'start' | 'create' | 'definer' | 'begin' | 'done'

type Emit = (statement: SqlStatement) => boolean

/** One pass over the script; `emit` returns false to stop early. */
class Splitter {
  private pos = 0
  private delimiter = DEFAULT_DELIMITER
  private readonly lines: LineCounter

  // The statement being read: from its first token to the end of its last token.
  private start = -1
  private end = -1
  private line = 0
  private prelude: Prelude = 'start'
  /** BEGIN / CASE nesting, counted only in compound statements. */
  private depth = 0
  private tracking = false
  private parens = 0
  /** The previous token, upper-cased, when it was a keyword-like word; '' otherwise. */
  private prevWord = ''
  /** First character of the previous token; 0 when it was a word. */
  private prevChar = 0

  constructor(
    private readonly src: string,
    private readonly rules: DialectRules,
    private readonly emit: Emit,
  ) {
    this.lines = new LineCounter(src)
    if (src.charCodeAt(0) === CH.bom) this.pos = 1
  }

  run(): void {
    const src = this.src
    while (this.pos < src.length) {
      const c = src.charCodeAt(this.pos)
      if (isSpace(c)) {
        this.pos++
      } else if (this.atDelimiter(c)) {
        this.pos += this.delimiter.length
        if (!this.finish()) return
      } else {
        const commentEnd = this.commentEnd(c)
        if (commentEnd >= 0) this.pos = commentEnd
        else this.token(c)
      }
    }
    this.finish()
  }

  private atDelimiter(c: number): boolean {
    const delimiter = this.delimiter
    if (c !== delimiter.charCodeAt(0)) return false
    if (delimiter.length > 1 && !this.src.startsWith(delimiter, this.pos)) return false
    return this.depth === 0 && this.parens === 0
  }

  /** End of a comment starting here, or -1. Executable MySQL comments are tokens, not comments. */
  private commentEnd(c: number): number {
    const { src, pos, rules } = this
    const next = src.charCodeAt(pos + 1)
    if (c === CH.minus && next === CH.minus) {
      const isComment = !rules.dashCommentNeedsSpace || pos + 2 >= src.length || src.charCodeAt(pos + 2) <= CH.space
      return isComment ? skipLineComment(src, pos) : -1
    }
    if (c === CH.hash && rules.hashComments) return skipLineComment(src, pos)
    if (c === CH.slash && next === CH.star) {
      return this.isExecutableComment() ? -1 : skipBlockComment(src, pos, rules.nestedComments)
    }
    return -1
  }

  private isExecutableComment(): boolean {
    if (!this.rules.executableComments) return false
    const { src, pos } = this
    const marker = src.charCodeAt(pos + 2)
    return marker === CH.bang || (marker === CH.upperM && src.charCodeAt(pos + 3) === CH.bang)
  }

  private token(c: number): void {
    const { src, rules } = this
    const start = this.pos
    let end: number
    let isWord = false
    if (isWordStart(c)) {
      end = scanWord(src, start, this.customDelimiter())
      if (this.start < 0 && rules.delimiterCommand && this.isDelimiterCommand(start, end)) {
        this.changeDelimiter(end)
        return
      }
      if (this.isEscapeStringPrefix(c, start, end)) end = skipQuoted(src, end, true)
      else isWord = true
    } else {
      end = this.otherTokenEnd(c)
    }
    if (this.start < 0) {
      this.start = start
      this.line = this.lines.lineAt(start)
    }
    this.end = end
    this.pos = end
    this.observe(c, isWord ? src.slice(start, end) : null)
  }

  /** PostgreSQL E'…': the E must touch the quote, otherwise it is an identifier followed by a string. */
  private isEscapeStringPrefix(c: number, start: number, end: number): boolean {
    return (
      this.rules.escapeStrings &&
      end === start + 1 &&
      (c === CH.upperE || c === CH.lowerE) &&
      this.src.charCodeAt(end) === CH.squote
    )
  }

  private otherTokenEnd(c: number): number {
    const { src, pos, rules } = this
    switch (c) {
      case CH.squote:
      case CH.dquote:
        return skipQuoted(src, pos, rules.backslashEscapes)
      case CH.backtick:
        return rules.backticks ? skipQuoted(src, pos, false) : pos + 1
      case CH.lbracket:
        return rules.brackets ? skipBracketed(src, pos) : pos + 1
      case CH.slash:
        // Only an executable comment reaches here starting with `/*`; it never nests.
        return src.charCodeAt(pos + 1) === CH.star ? skipBlockComment(src, pos, false) : pos + 1
      case CH.dollar: {
        const tag = rules.dollarQuotes ? dollarTagAt(src, pos) : null
        return tag === null ? pos + 1 : skipDollarQuoted(src, pos, tag)
      }
      default:
        return isDigit(c) ? scanWord(src, pos, this.customDelimiter()) : pos + 1
    }
  }

  private customDelimiter(): string | null {
    return this.delimiter === DEFAULT_DELIMITER ? null : this.delimiter
  }

  /** The mysql client only takes `DELIMITER` as a command where a statement would begin. */
  private isDelimiterCommand(start: number, end: number): boolean {
    const after = this.src.charCodeAt(end)
    return (
      end - start === 9 &&
      (after === CH.space || after === CH.tab) &&
      this.src.slice(start, end).toUpperCase() === 'DELIMITER'
    )
  }

  /** Reads `DELIMITER xx` up to the end of its line; the command itself is not a statement. */
  private changeDelimiter(wordEnd: number): void {
    const lineEnd = skipLineComment(this.src, wordEnd)
    const argument = this.src.slice(wordEnd, lineEnd).trim().split(/\s+/)[0] ?? ''
    const delimiter = unquote(argument)
    if (delimiter !== '') this.delimiter = delimiter
    this.pos = lineEnd
  }

  /** Feeds a token to the compound-statement tracking; `word` is null for anything but a word. */
  private observe(c: number, word: string | null): void {
    if (this.rules.parensHoldDelimiter) {
      if (c === CH.lparen) this.parens++
      else if (c === CH.rparen && this.parens > 0) this.parens--
    }
    if (this.prelude !== 'done' || this.tracking) {
      // A word after a dot is a qualified name (`t.end`), never a keyword.
      const keyword = word !== null && this.prevChar !== CH.dot ? word.toUpperCase() : ''
      if (this.prelude !== 'done') {
        this.advancePrelude(keyword)
        this.prevWord = keyword
      } else {
        this.prevWord = this.trackBlocks(keyword)
      }
    }
    this.prevChar = word === null ? c : 0
  }

  private advancePrelude(word: string): void {
    const compound = this.rules.compound
    switch (this.prelude) {
      case 'start':
        if (word === 'CREATE') this.prelude = 'create'
        else if (word === 'BEGIN' && compound.anonymousBlocks) this.prelude = 'begin'
        else this.prelude = 'done'
        return
      case 'begin':
        // BEGIN NOT ATOMIC opens a block; a plain BEGIN is a transaction.
        if (word === 'NOT') this.startTracking(1)
        this.prelude = 'done'
        return
      case 'definer':
        // The user and host follow `=` and `@` and may be bare words (root@localhost).
        if (word === '' || this.prevChar === CH.equals || this.prevChar === CH.at) return
        this.afterCreate(word)
        return
      case 'create':
        this.afterCreate(word)
        return
      case 'done':
        return
    }
  }

  private afterCreate(word: string): void {
    const compound = this.rules.compound
    if (compound.objects.has(word)) {
      this.startTracking(0)
      this.prelude = 'done'
    } else if (word === 'DEFINER' && compound.definer) {
      this.prelude = 'definer'
    } else if (!compound.modifiers.has(word)) {
      this.prelude = 'done'
    }
  }

  /** A custom delimiter is the author's own statement boundary; the mysql client counts no blocks then. */
  private startTracking(depth: number): void {
    if (this.customDelimiter() !== null) return
    this.tracking = true
    this.depth = depth
  }

  /** Counts BEGIN / CASE … END nesting; returns what the next word should see as `prevWord`. */
  private trackBlocks(word: string): string {
    if (this.prevWord === 'END') {
      // END was counted as closing a block; END IF / END LOOP … closed a control statement instead.
      if (END_OF_CONTROL.has(word)) {
        this.depth++
        return ''
      }
      // END CASE closes the CASE counted at its start, so this CASE opens nothing.
      if (word === 'CASE') return ''
    }
    switch (word) {
      case 'BEGIN':
        if (!this.rules.compound.beginNeedsAtomic) this.depth++
        return word
      case 'ATOMIC':
        if (this.rules.compound.beginNeedsAtomic && this.prevWord === 'BEGIN') this.depth++
        return word
      case 'CASE':
        this.depth++
        return word
      case 'END':
        if (this.depth === 0) return '' // unbalanced: nothing to close, so nothing for END IF to undo
        this.depth--
        return word
      default:
        return word
    }
  }

  /** Emits the statement read so far, if any, and resets the per-statement state. */
  private finish(): boolean {
    const statement = this.start < 0 ? null : { sql: this.src.slice(this.start, this.end), line: this.line }
    this.start = -1
    this.end = -1
    this.prelude = 'start'
    this.tracking = false
    this.depth = 0
    this.parens = 0
    this.prevWord = ''
    this.prevChar = 0
    return statement === null || this.emit(statement)
  }
}

function unquote(text: string): string {
  const first = text.charCodeAt(0)
  const quoted = first === CH.squote || first === CH.dquote || first === CH.backtick
  return quoted && text.length >= 2 && text.charCodeAt(text.length - 1) === first ? text.slice(1, -1) : text
}

/**
 * Cuts a script into statements the way the dialect's own client would (psql, mysql, sqlite3).
 * Each statement runs from its first token to its last, so comments between statements and the
 * delimiter are left out, while comments inside a statement stay. `line` is the 1-based line of
 * the first token. Empty statements (`;;`), comment-only fragments and MySQL DELIMITER commands
 * produce nothing.
 */
export function splitSql(sql: string, dialect: SqlDialect): SqlStatement[] {
  const statements: SqlStatement[] = []
  new Splitter(sql, DIALECTS[dialect], (statement) => {
    statements.push(statement)
    return true
  }).run()
  return statements
}

/** True when the script has nothing to run: only whitespace, comments, empty statements, DELIMITER lines. */
export function isCommentOnly(sql: string, dialect: SqlDialect): boolean {
  let found = false
  new Splitter(sql, DIALECTS[dialect], () => {
    found = true
    return false
  }).run()
  return !found
}

/**
 * The first `count` words of a statement, upper-cased, skipping whitespace and comments and stopping
 * at the first token that is not a word (a string, a number, punctuation). The text of a MySQL
 * executable comment (`/*!40101 SET …`) is read as words, since that is what the server runs.
 */
export function leadingKeywords(sql: string, count: number): string[] {
  const words: string[] = []
  let pos = sql.charCodeAt(0) === CH.bom ? 1 : 0
  while (pos < sql.length && words.length < count) {
    const c = sql.charCodeAt(pos)
    const next = sql.charCodeAt(pos + 1)
    if (isSpace(c)) {
      pos++
    } else if ((c === CH.minus && next === CH.minus) || c === CH.hash) {
      pos = skipLineComment(sql, pos)
    } else if (c === CH.slash && next === CH.star) {
      const body = executableCommentBody(sql, pos)
      pos = body >= 0 ? body : skipBlockComment(sql, pos, true)
    } else if (isWordStart(c)) {
      const end = scanWord(sql, pos, null)
      words.push(sql.slice(pos, end).toUpperCase())
      pos = end
    } else {
      break
    }
  }
  return words
}

/** Where the SQL inside `/*!NNNNN …` or `/*M!NNNNN …` starts, or -1 for an ordinary comment. */
function executableCommentBody(sql: string, pos: number): number {
  let i = pos + 2
  if (sql.charCodeAt(i) === CH.upperM) i++
  if (sql.charCodeAt(i) !== CH.bang) return -1
  i++
  while (isDigit(sql.charCodeAt(i))) i++
  return i
}
