import { hash } from 'node:crypto'

/** Text as checksummed: no BOM, LF line endings, so a CRLF checkout never reads as drift. */
export function normaliseText(text: string): string {
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n')
}

/** `sha256:<hex>`; the prefix lets a later algorithm coexist with recorded checksums. One-shot `hash`: no Hash object per file. */
// `status` remembers these per file (formats/file-cache.ts): a change here must bump its VERSION.
export function checksum(text: string): string {
  return `sha256:${hash('sha256', normaliseText(text), 'hex')}`
}

/** Short hash of one statement for per-statement progress (16 hex chars is plenty to detect edits). */
export function statementHash(sql: string): string {
  return hash('sha256', normaliseText(sql).trim(), 'hex').slice(0, 16)
}
