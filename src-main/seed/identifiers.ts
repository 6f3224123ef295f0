import { Migr8Error } from '../../src-shared/errors.js'

/** The longest identifier any supported database keeps whole (PostgreSQL truncates at 63 bytes). */
const MAX_IDENTIFIER_BYTES = 63

/**
 * Checks a table or column name taken from a file, the config or the command line. Names are always
 * quoted with the adapter's (driver's) escaping as well; this rejects what no database accepts, so
 * a hostile CSV header or file name fails early with a clear message rather than at the server.
 */
export function validateIdentifier(name: string, what: 'table' | 'column', where: string): string {
  const problem = identifierProblem(name)
  if (problem) {
    throw new Migr8Error(
      'SEED_INVALID',
      `${where}: the ${what} name ${JSON.stringify(truncateForMessage(name))} is not allowed (${problem}).`,
      what === 'table'
        ? 'Rename the seed file or map it to a table in seeds.tables of migr8.yaml.'
        : 'Fix the header row so each column names a column of the table.',
    )
  }
  return name
}

export function identifierProblem(name: string): string | undefined {
  if (name.length === 0) return 'it is empty'
  if (Buffer.byteLength(name, 'utf8') > MAX_IDENTIFIER_BYTES) return `longer than ${MAX_IDENTIFIER_BYTES} bytes`
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'it contains a control character'
  if (name.trim() !== name) return 'it starts or ends with white space'
  return undefined
}

export function truncateForMessage(value: string, max = 80): string {
  return value.length > max ? `${value.slice(0, max)}…` : value
}
