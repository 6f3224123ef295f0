import type { ProfileTestHopT, ProfileTestResultT } from '../../../src-shared/contract.js'
import './connection.css'

export function TestResultLine({ result }: { result: ProfileTestResultT }) {
  if (result.ok) {
    return (
      <span className="test-line test-ok" data-testid="test-result" data-ok="true">
        ✓ Connected · {result.version} · {result.latencyMs} ms
      </span>
    )
  }
  return (
    <span
      className="test-line test-fail"
      data-testid="test-result"
      data-ok="false"
      data-code={result.error.code}
      data-hop={result.failedHop}
      title={result.error.remedy}
    >
      ✕ {result.error.code.replace(/_/g, ' ').toLowerCase()}: {result.error.message}
    </span>
  )
}

const MARKS: Record<ProfileTestHopT['status'], string> = { ok: '✓', warn: '!', failed: '✕', skipped: '–' }

/** Each hop of a test (SSH, forward, TLS, authentication, server) with its status, time and detail. */
export function HopList({ hops }: { hops: ProfileTestHopT[] }) {
  if (hops.length === 0) return null
  return (
    <ol className="hops" data-testid="test-hops" aria-label="Connection test, hop by hop">
      {hops.map((hop, index) => (
        <li key={`${hop.hop}-${index}`} className={`hop hop-${hop.status}`} data-hop={hop.hop} data-status={hop.status}>
          <span className="hop-mark" aria-label={hop.status}>
            {MARKS[hop.status]}
          </span>
          <span className="hop-label">{hop.label}</span>
          {hop.ms !== undefined && <span className="hop-ms">{Math.round(hop.ms * 10) / 10} ms</span>}
          {hop.detail && <span className="hop-detail">{hop.detail}</span>}
          {hop.error && (
            <span className="hop-detail hop-error">
              {hop.error.message} <span className="label">Remedy</span>
              {hop.error.remedy}
            </span>
          )}
        </li>
      ))}
    </ol>
  )
}

/** The unknown SSH host key of a CONFIRMATION_REQUIRED failure, if that is what stopped the test. */
export function unknownHostKey(
  result: ProfileTestResultT | undefined,
): { fingerprint: string; keyType?: string; host?: string; port?: number; knownHosts?: string } | undefined {
  if (!result || result.ok || result.error.code !== 'CONFIRMATION_REQUIRED') return undefined
  const details = result.error.details ?? {}
  if (typeof details.fingerprint !== 'string') return undefined
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined)
  return {
    fingerprint: details.fingerprint,
    keyType: text(details.keyType),
    host: text(details.host),
    port: typeof details.port === 'number' ? details.port : undefined,
    knownHosts: text(details.knownHosts),
  }
}

/**
 * The whole result: connected (version, latency, TLS) or the failure with its remedy, the hops, and for
 * an unknown SSH host key its fingerprint with "Trust and connect" (retests with acceptHostKeys).
 */
export function TestDetail(props: {
  result: ProfileTestResultT
  onTrust?: (fingerprint: string) => void
  trusting?: boolean
  /** Leave out the "Connected to …" line (the Overview shows version and latency already). */
  hideSuccess?: boolean
}) {
  const { result } = props
  const hostKey = unknownHostKey(result)
  return (
    <div className="test-detail" data-testid="test-detail" data-ok={String(result.ok)}>
      {result.ok ? (
        !props.hideSuccess && (
          <div className="ok-box">
            Connected to {result.version} in {result.latencyMs} ms
            {result.tls && (
              <span className="muted" data-testid="test-tls">
                {' '}
                · TLS {result.tls.version} {result.tls.cipher}
              </span>
            )}
          </div>
        )
      ) : hostKey ? (
        <div className="hostkey-box" data-testid="hostkey-prompt">
          <div className="hostkey-title">Unknown SSH host key</div>
          <div>
            {hostKey.host
              ? `${hostKey.host}${hostKey.port && hostKey.port !== 22 ? `:${hostKey.port}` : ''}`
              : 'The SSH host'}{' '}
            is not in {hostKey.knownHosts ?? 'known_hosts'}. Check the fingerprint with the server's administrator
            before trusting it.
          </div>
          <div className="hostkey-fingerprint">
            {hostKey.keyType && <span className="muted">{hostKey.keyType} </span>}
            <code data-testid="hostkey-fingerprint">{hostKey.fingerprint}</code>
          </div>
          {props.onTrust && (
            <button
              type="button"
              className="button button-primary"
              onClick={() => props.onTrust?.(hostKey.fingerprint)}
              disabled={props.trusting}
              data-testid="hostkey-trust"
            >
              {props.trusting ? 'Connecting…' : 'Trust and connect'}
            </button>
          )}
        </div>
      ) : (
        <div className="error-box" data-code={result.error.code} data-hop={result.failedHop}>
          <div className="error-code">
            {result.error.code}
            {result.failedHop && <span className="muted"> · at {hopLabel(result)}</span>}
          </div>
          <div>{result.error.message}</div>
          <div className="remedy">
            <span className="label">Remedy</span> {result.error.remedy}
          </div>
        </div>
      )}
      <HopList hops={result.hops} />
    </div>
  )
}

function hopLabel(result: ProfileTestResultT): string {
  if (result.ok) return ''
  return result.hops.find((hop) => hop.status === 'failed')?.label ?? result.failedHop ?? ''
}
