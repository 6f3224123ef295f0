import { createHash } from 'node:crypto'

/** Text as checksummed: no BOM, LF line endings, so a CRLF checkout never reads as drift. */
export function normaliseText(text: string): string {
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n')
}

/** `sha256:<hex>`; the prefix lets a later algorithm coexist with recorded checksums. */
export function checksum(text: string): string {
  return `sha256:${createHash('sha256').update(normaliseText(text)).digest('hex')}`
}

/** Short hash of one statement for per-statement progress (16 hex chars is plenty to detect edits). */
export function statementHash(sql: string): string {
  return createHash('sha256').update(normaliseText(sql).trim()).digest('hex').slice(0, 16)
}
