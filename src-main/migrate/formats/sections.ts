import { Migr8Error } from '../../../src-shared/errors.js'
import type { Script, ScriptPiece } from '../model.js'
import { readDirectives } from './directives.js'

/**
 * dbmate (`-- migrate:up`, `-- migrate:down`, option `transaction:false`) and goose (`-- +goose Up`,
 * `-- +goose Down`, `StatementBegin`/`StatementEnd`, `NO TRANSACTION`, `ENVSUB ON`) keep both
 * directions in one file, marked by comment lines. Both are read by the same section walker.
 */
const DBMATE_MARKER = /^--\s*migrate:(up|down)\b(.*)$/
const GOOSE_MARKER = /^--\s*\+goose\s+(.+?)\s*$/i

/**
 * Any section marker makes a file dbmate/goose, even without an up marker, so that a file with only
 * `-- migrate:down` is rejected rather than run whole as a plain up migration. Markers may be
 * indented, as the section walker trims lines.
 */
export function isDbmateFile(text: string): boolean {
  return /^[ \t]*--\s*migrate:(up|down)\b/m.test(text)
}

export function isGooseFile(text: string): boolean {
  return /^[ \t]*--\s*\+goose\s+(up|down)\b/im.test(text)
}

/**
 * A run of consecutive lines of the file, kept as offsets: its text is one slice of the file (the
 * lines joined by their newlines), so reading a file allocates no object per line.
 */
interface Section {
  direction: 'up' | 'down' | 'preamble'
  noTransaction: boolean
  /** Offset of the first line, and of the end of the last one (before its newline). */
  start: number
  end: number
  /** Number of the first line; undefined while the section has no line. */
  firstLine?: number
}

type Line = { text: string; number: number }

function sectionText(text: string, section: Section): string {
  return section.firstLine === undefined ? '' : text.slice(section.start, section.end)
}

function sectionLines(text: string, section: Section): Line[] {
  const first = section.firstLine
  if (first === undefined) return []
  return sectionText(text, section)
    .split('\n')
    .map((line, index) => ({ text: line, number: first + index }))
}

function invalid(file: string, line: number, why: string, remedy: string): Migr8Error {
  return new Migr8Error('MIGRATION_FILE_INVALID', `${file}:${line}: ${why}.`, remedy, { file, line })
}

/** The sections of a file; the first is the preamble (comments before the first marker). */
function splitSections(file: string, text: string, marker: RegExp, flavour: 'dbmate' | 'goose'): Section[] {
  const sections: Section[] = [{ direction: 'preamble', noTransaction: false, start: 0, end: 0 }]
  let current = sections[0]
  // Walks the lines by offset, as text.split('\n') would cut them (a final newline gives a last empty
  // line), trimming each once and trying the marker only on comments: this runs for every line of
  // every file on each `status`.
  for (let start = 0, number = 1; start <= text.length; number++) {
    const newline = text.indexOf('\n', start)
    const end = newline < 0 ? text.length : newline
    const trimmed = text.slice(start, end).trim()
    const isComment = trimmed.startsWith('--')
    const match = isComment ? marker.exec(trimmed) : null
    const direction = match ? sectionDirection(flavour, match) : undefined
    if (direction) {
      const noTransaction = flavour === 'dbmate' && /transaction\s*:\s*false/i.test(match![2] ?? '')
      current = { direction, noTransaction, start: end + 1, end: end + 1 }
      sections.push(current)
    } else if (current.direction !== 'preamble' || trimmed === '' || isComment) {
      if (current.firstLine === undefined) {
        current.firstLine = number
        current.start = start
      }
      current.end = end
    } else {
      throw invalid(
        file,
        number,
        `SQL before the first ${flavour === 'dbmate' ? '-- migrate:up' : '-- +goose Up'} marker`,
        'Move the SQL below the up marker.',
      )
    }
    start = end + 1
  }
  const ups = sections.filter((s) => s.direction === 'up')
  if (ups.length !== 1)
    throw invalid(
      file,
      1,
      `expected exactly one up section, found ${ups.length}`,
      'Keep one up marker and at most one down marker per file.',
    )
  if (sections.filter((s) => s.direction === 'down').length > 1)
    throw invalid(file, 1, 'more than one down section', 'Keep at most one down marker per file.')
  return sections
}

function sectionDirection(flavour: 'dbmate' | 'goose', match: RegExpExecArray): 'up' | 'down' | undefined {
  if (flavour === 'dbmate') return match[1] as 'up' | 'down'
  const word = match[1].toLowerCase()
  return word === 'up' ? 'up' : word === 'down' ? 'down' : undefined
}

/** Goose's StatementBegin/End blocks become whole pieces; the text between them is left to the lexer. */
function goosePieces(file: string, lines: Line[]): ScriptPiece[] {
  const pieces: ScriptPiece[] = []
  let free: Line[] = []
  let block: Line[] | undefined
  let blockStart = 0
  const flushFree = () => {
    if (free.some((l) => l.text.trim() !== ''))
      pieces.push({ sql: free.map((l) => l.text).join('\n'), line: free[0].number, whole: false })
    free = []
  }
  for (const line of lines) {
    const command = GOOSE_MARKER.exec(line.text.trim())?.[1].toLowerCase()
    if (command === 'statementbegin') {
      if (block)
        throw invalid(
          file,
          line.number,
          'StatementBegin inside another StatementBegin',
          'Close the previous block with -- +goose StatementEnd.',
        )
      flushFree()
      block = []
      blockStart = line.number + 1
    } else if (command === 'statementend') {
      if (!block)
        throw invalid(
          file,
          line.number,
          'StatementEnd without StatementBegin',
          'Add -- +goose StatementBegin before the statement.',
        )
      const sql = block
        .map((l) => l.text)
        .join('\n')
        .trim()
        .replace(/;\s*$/, '')
      if (sql) pieces.push({ sql, line: blockStart, whole: true })
      block = undefined
    } else if (block) block.push(line)
    else free.push(line)
  }
  if (block)
    throw invalid(
      file,
      blockStart - 1,
      'StatementBegin without StatementEnd',
      'Close the block with -- +goose StatementEnd.',
    )
  flushFree()
  return pieces
}

function toScript(
  file: string,
  text: string,
  section: Section,
  extra: { noTransaction: boolean; envsub: boolean; pieces?: ScriptPiece[] },
): Script {
  const sql = sectionText(text, section)
  const directives = readDirectives(sql)
  return {
    sql,
    pieces: extra.pieces,
    noTransaction: section.noTransaction || extra.noTransaction || directives.noTransaction,
    envsub: extra.envsub || directives.envsub,
    file,
    line: section.firstLine ?? 1,
  }
}

/** `-- migr8:…` directives written above the first marker apply to both directions of the file. */
function preambleDirectives(text: string, sections: Section[]): { noTransaction: boolean; envsub: boolean } {
  return readDirectives(sectionText(text, sections[0]))
}

export function readDbmateFile(file: string, text: string): { up: Script; down?: Script } {
  const sections = splitSections(file, text, DBMATE_MARKER, 'dbmate')
  const up = sections.find((s) => s.direction === 'up')!
  const down = sections.find((s) => s.direction === 'down')
  const preamble = preambleDirectives(text, sections)
  return { up: toScript(file, text, up, preamble), down: down && toScript(file, text, down, preamble) }
}

export function readGooseFile(file: string, text: string): { up: Script; down?: Script } {
  const sections = splitSections(file, text, GOOSE_MARKER, 'goose')
  const preamble = preambleDirectives(text, sections)
  const noTransaction = /^--\s*\+goose\s+NO\s+TRANSACTION\s*$/im.test(text) || preamble.noTransaction
  const envsub = /^--\s*\+goose\s+ENVSUB\s+ON\s*$/im.test(text) || preamble.envsub
  const up = sections.find((s) => s.direction === 'up')!
  const down = sections.find((s) => s.direction === 'down')
  const script = (section: Section) =>
    toScript(file, text, section, { noTransaction, envsub, pieces: goosePieces(file, sectionLines(text, section)) })
  const downScript =
    down && sectionLines(text, down).some((l) => l.text.trim() !== '' && !GOOSE_MARKER.test(l.text.trim()))
      ? script(down)
      : undefined
  return { up: script(up), down: downScript }
}
