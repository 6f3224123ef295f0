import { Migr8Error } from '../../src-shared/errors.js'
import type { ConnectionConfig } from '../config/schema.js'

/** Where a connection points, for messages (never the password). */
export function describeTarget(connection: ConnectionConfig): string {
  if (connection.driver === 'sqlite') return `SQLite database ${connection.database}`
  return `${connection.driver === 'postgres' ? 'PostgreSQL' : 'MySQL'} server ${connection.host}:${connection.port} (database "${connection.database}")`
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
