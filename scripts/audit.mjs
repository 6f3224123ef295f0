// Fails on known high/critical advisories in production dependencies. The advisory service may be
// out of reach (closed networks): that is reported, not treated as a pass or a failure.
import { spawnSync } from 'node:child_process'

const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8' })
let report
try {
  report = JSON.parse(run.stdout)
} catch {
  report = undefined
}
const counts = report?.metadata?.vulnerabilities
if (!counts) {
  console.warn(
    `npm audit could not reach the advisory service; dependency audit not performed.\n${(run.stderr || '').trim().split('\n').slice(0, 2).join('\n')}`,
  )
  process.exit(0)
}
const serious = (counts.high ?? 0) + (counts.critical ?? 0)
console.log(`npm audit (production): ${JSON.stringify(counts)}`)
process.exit(serious > 0 ? 1 : 0)
