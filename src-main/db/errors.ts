import { Migr8Error } from '../../src-shared/errors.js'
import type { ConnectionConfig } from '../config/schema.js'

/** Where a connection points, for messages (never the password). */
export function describeTarget(connection: ConnectionConfig): string {
  if (connection.driver === 'sqlite') return `SQLite database ${connection.database}`
  const where = connection.via
    ? `${connection.via.host}:${connection.via.port} via SSH ${connection.via.ssh}`
    : `${connection.host}:${connection.port}`
  return `${connection.driver === 'postgres' ? 'PostgreSQL' : 'MySQL'} server ${where} (database "${connection.database}")`
}

/** Socket-level failures look the same whatever the driver; returns undefined for anything else. */
export function translateNetworkError(error: unknown, connection: ConnectionConfig): Migr8Error | undefined {
  const code = (error as { code?: string } | undefined)?.code
  const message = (error as Error | undefined)?.message ?? ''
  const target = describeTarget(connection)
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'EHOSTUNREACH' ||
    code === 'ENETUNREACH' ||
    code === 'EAI_AGAIN'
  ) {
    return new Migr8Error(
      'HOST_UNREACHABLE',
      `Cannot reach the ${target}: ${code}.`,
      'Check the host and port, that the server is running and that no firewall blocks it; use --wait to wait for a server that is starting.',
      { driverCode: code },
      error,
    )
  }
  if (code === 'ETIMEDOUT' || (/timeout/i.test(message) && /connect/i.test(message))) {
    return new Migr8Error(
      'CONNECT_TIMEOUT',
      `Connecting to the ${target} timed out after ${connection.connectTimeoutMs} ms.`,
      'Check the host is reachable (VPN, firewall), or raise database.connectTimeout.',
      { driverCode: code },
      error,
    )
  }
  if (
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === 'PROTOCOL_CONNECTION_LOST' ||
    /Connection terminated unexpectedly|server closed the connection|not queryable|connection is in closed state/i.test(
      message,
    )
  ) {
    return new Migr8Error(
      'CONNECTION_LOST',
      `The connection to the ${target} was lost: ${message || code}.`,
      'Check the server is still running and run the command again; Migr8 records progress so nothing is applied twice.',
      { driverCode: code },
      error,
    )
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || /Hostname\/IP does not match/i.test(message)) {
    const name = connection.tlsServername ?? connection.host
    return new Migr8Error(
      'TLS_FAILED',
      `The certificate of the ${target} is not valid for the host name "${name}": ${message}.`,
      `Connect with the host name the certificate names (its CN/subjectAltName), or use sslmode verify-ca (checks the CA but not the name).`,
      { driverCode: code, reason: 'host-name-mismatch', hop: 'tls' },
      error,
    )
  }
  if (
    /^(SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERT_UNTRUSTED)$/.test(
      code ?? '',
    )
  ) {
    return new Migr8Error(
      'TLS_FAILED',
      `The certificate of the ${target} is not signed by a trusted CA${connection.ssl.ca ? ` (database.ssl.ca ${connection.ssl.ca})` : ''}: ${message}.`,
      connection.ssl.ca
        ? `database.ssl.ca is not the CA that signed the server's certificate: give the right CA file (ask the DBA for the server's root CA), or use sslmode require (encrypts without verifying).`
        : `Give the server's CA certificate in database.ssl.ca (PEM), or use sslmode require (encrypts without verifying).`,
      { driverCode: code, reason: 'untrusted-ca', hop: 'tls' },
      error,
    )
  }
  if (/self[- ]signed|unable to verify|certificate|Hostname\/IP does not match/i.test(message)) {
    return new Migr8Error(
      'TLS_FAILED',
      `TLS verification failed for the ${target}: ${message}.`,
      "Give the server's CA in database.ssl.ca, check the host name matches the certificate, or use sslmode require (encrypts without verifying).",
      { driverCode: code },
      error,
    )
  }
  return undefined
}

/**
 * Runs a one-statement call again, once, when its pooled connection turned out to be dead before
 * the statement was sent (the server killed it while idle): nothing ran, so retrying is safe.
 */
export async function retryIfStale<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (error) {
    const stale =
      error instanceof Migr8Error &&
      error.code === 'CONNECTION_LOST' &&
      /not queryable|closed state/i.test(error.message)
    if (!stale) throw error
    return fn()
  }
}
