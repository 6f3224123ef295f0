import type { ProfileTestResultT } from '../../../src-shared/contract.js'

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
      title={result.error.remedy}
    >
      ✕ {result.error.code.replace(/_/g, ' ').toLowerCase()}: {result.error.message}
    </span>
  )
}
