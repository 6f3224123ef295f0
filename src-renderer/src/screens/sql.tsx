/** A tiny SQL highlighter: keywords, strings, quoted identifiers, numbers and comments. No dependency. */
import { Fragment, useMemo } from 'react'

const KEYWORDS = new Set(
  (
    'add all alter and as asc begin between by cascade case check column commit constraint create cross current_timestamp ' +
    'database default delete desc distinct drop else end exists extension foreign from full function grant group having if ' +
    'in index inner insert into is join key left like limit not null on or order outer primary procedure references rename ' +
    'replace returning revoke right rollback schema select sequence set table then to transaction trigger truncate union ' +
    'unique update using values view when where with serial bigserial integer int bigint smallint text varchar char boolean ' +
    'bool numeric decimal real double precision date time timestamp timestamptz json jsonb uuid blob auto_increment engine ' +
    'language returns declare do loop for each row execute enum type owner comment collate unsigned'
  ).split(' '),
)

export type Token = { kind: 'kw' | 'str' | 'ident' | 'num' | 'comment' | 'text'; text: string }

const PATTERN =
  /(--[^\n]*|\/\*[\s\S]*?(?:\*\/|$))|('(?:[^']|'')*'?|\$\$[\s\S]*?(?:\$\$|$))|("(?:[^"]|"")*"?|`[^`]*`?)|(\b\d+(?:\.\d+)?\b)|([A-Za-z_][A-Za-z0-9_]*)/g

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = []
  let last = 0
  for (const match of sql.matchAll(PATTERN)) {
    const index = match.index ?? 0
    if (index > last) tokens.push({ kind: 'text', text: sql.slice(last, index) })
    const [whole, comment, str, ident, num, word] = match
    if (comment) tokens.push({ kind: 'comment', text: whole })
    else if (str) tokens.push({ kind: 'str', text: whole })
    else if (ident) tokens.push({ kind: 'ident', text: whole })
    else if (num) tokens.push({ kind: 'num', text: whole })
    else if (word) tokens.push({ kind: KEYWORDS.has(word.toLowerCase()) ? 'kw' : 'text', text: whole })
    last = index + whole.length
  }
  if (last < sql.length) tokens.push({ kind: 'text', text: sql.slice(last) })
  return tokens
}

export function SqlView({ sql, testId, maxHeight }: { sql: string; testId?: string; maxHeight?: number }) {
  const lines = useMemo(() => {
    const capped = sql.length > 400_000 ? `${sql.slice(0, 400_000)}\n-- … (truncated for display)` : sql
    return capped.split('\n').map((line) => tokenize(line))
  }, [sql])
  return (
    <pre className="sql" data-testid={testId} style={maxHeight ? { maxHeight } : undefined}>
      {lines.map((tokens, index) => (
        <div className="sql-line" key={index}>
          <span className="sql-ln">{index + 1}</span>
          <span className="sql-code">
            {tokens.map((token, i) =>
              token.kind === 'text' ? (
                <Fragment key={i}>{token.text}</Fragment>
              ) : (
                <span key={i} className={`sql-${token.kind}`}>
                  {token.text}
                </span>
              ),
            )}
            {tokens.length === 0 && ' '}
          </span>
        </div>
      ))}
    </pre>
  )
}
