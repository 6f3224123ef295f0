/**
 * "Test connection", hop by hop: SSH host(s) reachable and authenticated, the database reachable
 * (from the bastion when tunnelled), TLS negotiated (version and cipher as the server reports them),
 * authenticated, server version and latency. The first hop that fails carries the error and its
 * remedy; the hops after it are reported as skipped. Used by `migr8 config test` and the app.
 */
import { connect } from 'node:net'
import { Migr8Error, toErrorPayload, type ErrorPayload } from '../../src-shared/errors.js'
import type { ConnectionConfig } from '../config/schema.js'
import type { Adapter } from './adapter.js'
import { describeTarget, translateNetworkError } from './errors.js'
import { openAdapter } from './index.js'
import type { ConfirmHostKey, Tunnel, TunnelStep } from './tunnel.js'

export const HOPS = [
  'ssh-reachable',
  'ssh-authenticated',
  'ssh-forward',
  'database-reachable',
  'tls',
  'authenticated',
  'server',
] as const
export type HopName = (typeof HOPS)[number]

export interface HopResult {
  hop: HopName
  /** What was checked, e.g. "SSH bastion reachable", "TLS negotiated". */
  label: string
  /** `warn`: works, but not as safely as it could (e.g. sslmode prefer fell back to plain). */
  status: 'ok' | 'warn' | 'failed' | 'skipped'
  ms?: number
  detail?: string
  /** The failure and its remedy, on the failed hop only. */
  error?: ErrorPayload
}

export interface DiagnoseResult {
  ok: boolean
  hops: HopResult[]
  failedHop?: HopName
  error?: ErrorPayload
  version?: string
  latencyMs?: number
  tls?: { version: string; cipher: string }
}

export interface DiagnoseOptions {
  signal?: AbortSignal
  confirmHostKey?: ConfirmHostKey
  acceptHostKeys?: readonly string[]
}

const LABELS: Record<HopName, string> = {
  'ssh-reachable': 'SSH host reachable',
  'ssh-authenticated': 'SSH authenticated',
  'ssh-forward': 'database reachable from the SSH host',
  'database-reachable': 'database reachable',
  tls: 'TLS negotiated',
  authenticated: 'database authenticated',
  server: 'server answers',
}

/** Which hop a failure belongs to, from the tunnel's `details.hop` or the error code. */
function hopOf(error: Migr8Error, fallback: HopName): HopName {
  const hop = error.details?.hop
  if (hop === 'ssh-hostkey') return 'ssh-reachable'
  if (typeof hop === 'string' && (HOPS as readonly string[]).includes(hop)) return hop as HopName
  switch (error.code) {
    case 'TLS_FAILED':
    case 'TLS_REQUIRED':
      return 'tls'
    case 'AUTH_FAILED':
    case 'DATABASE_MISSING':
    case 'PERMISSION_DENIED':
      return 'authenticated'
    case 'HOST_UNREACHABLE':
    case 'CONNECT_TIMEOUT':
      return fallback
    default:
      return fallback === 'ssh-forward' ? 'server' : fallback
  }
}

function tcpProbe(connection: ConnectionConfig): Promise<number> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const socket = connect({ host: connection.host, port: connection.port, timeout: connection.connectTimeoutMs })
    socket.once('connect', () => (socket.destroy(), resolve(Math.round(performance.now() - started))))
    socket.once('timeout', () => {
      socket.destroy()
      reject(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' }))
    })
    socket.once('error', (error) => (socket.destroy(), reject(error)))
  })
}

/** The TLS version and cipher of this session, as the server sees it; undefined when not encrypted. */
export async function sessionTls(adapter: Adapter): Promise<{ version: string; cipher: string } | undefined> {
  if (adapter.dialect === 'postgres') {
    const rows = await adapter.query<{ ssl: boolean; version: string | null; cipher: string | null }>(
      'SELECT ssl, version, cipher FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
    )
    const row = rows[0]
    return row?.ssl ? { version: row.version ?? '?', cipher: row.cipher ?? '?' } : undefined
  }
  if (adapter.dialect === 'mysql') {
    const rows = await adapter.query<{ Variable_name: string; Value: string }>(
      "SHOW SESSION STATUS WHERE Variable_name IN ('Ssl_version', 'Ssl_cipher')",
    )
    const value = (name: string) => rows.find((row) => row.Variable_name === name)?.Value ?? ''
    return value('Ssl_version') ? { version: value('Ssl_version'), cipher: value('Ssl_cipher') } : undefined
  }
  return undefined
}

function tlsDetail(connection: ConnectionConfig, tls: { version: string; cipher: string }): string {
  const mode = connection.ssl.mode
  const checked =
    mode === 'verify-full'
      ? `certificate and host name "${connection.tlsServername ?? connection.host}" verified`
      : mode === 'verify-ca'
        ? 'certificate verified against the CA (host name not checked)'
        : `certificate not verified (sslmode ${mode})`
  return `${tls.version} ${tls.cipher}; ${checked}`
}

/** Runs every hop in order and reports each; never throws for a connection failure. */
export async function diagnoseConnection(
  connection: ConnectionConfig,
  options: DiagnoseOptions = {},
): Promise<DiagnoseResult> {
  const hops: HopResult[] = []
  const result: DiagnoseResult = { ok: false, hops }
  const fail = (hop: HopName, error: unknown) => {
    const typed =
      error instanceof Migr8Error
        ? error
        : (translateNetworkError(error, connection) ??
          new Migr8Error('INTERNAL', (error as Error).message ?? String(error), 'Report this as a bug.'))
    const failedHop = hopOf(typed, hop)
    const { details: _details, ...rest } = toErrorPayload(typed)
    // The host key prompt needs the fingerprint: keep that detail.
    const payload: ErrorPayload =
      typed.code === 'CONFIRMATION_REQUIRED' && typed.details ? { ...rest, details: typed.details } : rest
    hops.push({ hop: failedHop, label: LABELS[failedHop], status: 'failed', error: payload })
    const after = HOPS.slice(HOPS.indexOf(failedHop) + 1).filter(
      (name) => (connection.ssh || !name.startsWith('ssh')) && !(connection.ssh && name === 'database-reachable'),
    )
    for (const name of after) hops.push({ hop: name, label: LABELS[name], status: 'skipped' })
    result.failedHop = failedHop
    result.error = payload
    return result
  }

  let tunnel: Tunnel | undefined
  let adapter: Adapter | undefined
  try {
    let target = connection
    if (connection.ssh) {
      const { openTunnel } = await import('./tunnel.js')
      const onStep = (step: TunnelStep) =>
        hops.push({
          hop: step.hop,
          label: step.hop === 'ssh-forward' ? LABELS[step.hop] : `${LABELS[step.hop]} (${step.host})`,
          status: 'ok',
          ms: step.ms,
          detail: step.detail,
        })
      try {
        tunnel = await openTunnel(connection, { ...options, onStep })
      } catch (error) {
        return fail('ssh-reachable', error)
      }
      target = tunnel.connection
    } else if (connection.driver !== 'sqlite') {
      try {
        const ms = await tcpProbe(connection)
        hops.push({
          hop: 'database-reachable',
          label: LABELS['database-reachable'],
          status: 'ok',
          ms,
          detail: `${connection.host}:${connection.port}`,
        })
      } catch (error) {
        return fail('database-reachable', error)
      }
    }

    try {
      adapter = await openAdapter(target, { signal: options.signal })
    } catch (error) {
      const typed = tunnel?.lastForwardError() ?? error
      return fail(connection.ssh ? 'ssh-forward' : 'database-reachable', typed)
    }
    const info = await adapter.ping()
    if (connection.driver !== 'sqlite') {
      const tls = await sessionTls(adapter).catch(() => undefined)
      if (tls) result.tls = tls
      hops.push(
        tls
          ? { hop: 'tls', label: LABELS.tls, status: 'ok', detail: tlsDetail(target, tls) }
          : {
              hop: 'tls',
              label: LABELS.tls,
              status: connection.ssl.mode === 'disable' && !connection.ssh ? 'skipped' : 'warn',
              detail:
                connection.ssl.mode === 'disable'
                  ? `not encrypted (sslmode disable)${connection.ssh ? '; the SSH tunnel encrypts up to the SSH host' : ''}`
                  : 'not encrypted: the server offers no TLS (sslmode prefer fell back to plain)',
            },
      )
      hops.push({
        hop: 'authenticated',
        label: LABELS.authenticated,
        status: 'ok',
        detail: `as "${connection.user}" on database "${connection.database}"`,
      })
    }
    hops.push({
      hop: 'server',
      label: LABELS.server,
      status: 'ok',
      ms: info.latencyMs,
      detail: `${info.version}, ${info.latencyMs} ms round trip (${describeTarget(target)})`,
    })
    result.ok = true
    result.version = info.version
    result.latencyMs = info.latencyMs
    return result
  } catch (error) {
    return fail('server', error)
  } finally {
    await adapter?.close()
    await tunnel?.close()
  }
}

/** One line per hop, for the terminal. */
export function formatHops(result: DiagnoseResult): string[] {
  const marks = { ok: '✔', warn: '!', failed: '✘', skipped: '-' }
  const lines = result.hops.map((hop) => {
    const ms = hop.ms !== undefined ? ` (${hop.ms} ms)` : ''
    const detail = hop.detail ? `: ${hop.detail}` : ''
    const error = hop.error ? `: ${hop.error.message}\n      remedy: ${hop.error.remedy}` : ''
    return `${marks[hop.status]} ${hop.label}${ms}${detail}${error}`
  })
  return lines
}
