/**
 * Typed errors shared by the engines, the CLI and the UI. Every failure a user can meet is a
 * Migr8Error with a stable code, a plain-English message and a remedy, so the CLI's exit line and
 * the app's toast say the same thing.
 */
export const ERROR_CODES = [
  'BAD_USAGE',
  'CONFIG_INVALID',
  'CONFIG_NOT_FOUND',
  'AUTH_FAILED',
  'HOST_UNREACHABLE',
  'CONNECT_TIMEOUT',
  'TLS_REQUIRED',
  'TLS_FAILED',
  'DATABASE_MISSING',
  'PERMISSION_DENIED',
  'CONNECTION_LOST',
  'QUERY_FAILED',
  'LOCK_TIMEOUT',
  'CHECKSUM_MISMATCH',
  'MIGRATION_FILE_INVALID',
  'MIGRATION_MISSING_FILE',
  'MIGRATION_OUT_OF_ORDER',
  'MIGRATION_PARTIAL',
  'MIGRATION_FAILED',
  'MIGRATION_NOT_FOUND',
  'NO_DOWN_MIGRATION',
  'SQL_SYNTAX',
  'BACKUP_FAILED',
  'BACKUP_NOT_FOUND',
  'BACKUP_CORRUPT',
  'RESTORE_FAILED',
  'TOOL_MISSING',
  'DISK_FULL',
  'PATH_INVALID',
  'SEED_INVALID',
  'SEED_FAILED',
  'TABLE_MISSING',
  'PROFILE_NOT_FOUND',
  'PROFILE_INVALID',
  'SECRET_STORE_UNAVAILABLE',
  'READ_ONLY_PROFILE',
  'CONFIRMATION_REQUIRED',
  'CANCELLED',
  'IPC_INVALID',
  'NOT_FOUND',
  'INTERNAL',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

/** The shape an error takes when it crosses a process boundary (IPC, HTTP, `--json`). */
export interface ErrorPayload {
  code: ErrorCode
  message: string
  remedy: string
  details?: Record<string, unknown>
}

export class Migr8Error extends Error {
  readonly code: ErrorCode
  readonly remedy: string
  readonly details?: Record<string, unknown>

  constructor(code: ErrorCode, message: string, remedy: string, details?: Record<string, unknown>, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause })
    this.name = 'Migr8Error'
    this.code = code
    this.remedy = remedy
    this.details = details
  }

  toPayload(): ErrorPayload {
    return {
      code: this.code,
      message: this.message,
      remedy: this.remedy,
      ...(this.details ? { details: this.details } : {}),
    }
  }
}

export function isMigr8Error(value: unknown): value is Migr8Error {
  return value instanceof Migr8Error
}

/** Anything thrown becomes a payload; unknown errors keep their message but get a generic remedy. */
export function toErrorPayload(error: unknown): ErrorPayload {
  if (isMigr8Error(error)) return error.toPayload()
  if (error && typeof error === 'object' && 'name' in error && error.name === 'AbortError') {
    return { code: 'CANCELLED', message: 'The operation was cancelled.', remedy: 'Start it again when ready.' }
  }
  const message = error instanceof Error ? error.message : String(error)
  return {
    code: 'INTERNAL',
    message: message || 'An unexpected error occurred.',
    remedy: 'Run again with --verbose and report the output if it persists.',
  }
}

export function cancelled(): Migr8Error {
  return new Migr8Error('CANCELLED', 'The operation was cancelled.', 'Start it again when ready.')
}

/** Throws CANCELLED when the signal has fired; engines call it between units of work. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelled()
}
