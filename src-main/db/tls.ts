import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { checkServerIdentity, type ConnectionOptions, type PeerCertificate } from 'node:tls'
import { Migr8Error } from '../../src-shared/errors.js'
import type { ConnectionConfig } from '../config/schema.js'

function readPem(path: string | undefined, what: string): string | undefined {
  if (!path) return undefined
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    throw new Migr8Error(
      'TLS_FAILED',
      `Cannot read the TLS ${what} file ${path}: ${(error as Error).message}.`,
      `Check database.ssl.${what} points at a readable PEM file.`,
    )
  }
}

/**
 * Node TLS options for an sslmode, shared by the PostgreSQL and MySQL drivers. `prefer` returns
 * undefined: the caller tries TLS first and falls back to plain only when the server has none.
 */
export function tlsOptionsFor(connection: ConnectionConfig): ConnectionOptions | false {
  const { mode } = connection.ssl
  if (mode === 'disable') return false
  const files = {
    ca: readPem(connection.ssl.ca, 'ca'),
    cert: readPem(connection.ssl.cert, 'cert'),
    key: readPem(connection.ssl.key, 'key'),
  }
  if (mode === 'prefer' || mode === 'require') return { ...files, rejectUnauthorized: false }
  if (mode === 'verify-ca') return { ...files, rejectUnauthorized: true, checkServerIdentity: () => undefined }
  // Through an SSH tunnel `host` is 127.0.0.1: the certificate must still name the real server.
  const name = connection.tlsServername ?? connection.host
  return {
    ...files,
    rejectUnauthorized: true,
    // SNI carries host names only (RFC 6066); an IP address is checked against the certificate's IP SANs.
    servername: isIP(name) ? undefined : name,
    checkServerIdentity: (_host: string, certificate: PeerCertificate) => checkServerIdentity(name, certificate),
    // mysql2 ignores checkServerIdentity and checks its own host only when told to.
    verifyIdentity: true,
  } as ConnectionOptions
}
