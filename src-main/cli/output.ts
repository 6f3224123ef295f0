import { toErrorPayload, type ErrorPayload } from '../../src-shared/errors.js'
import type { LogLevel, ProgressEvent, RunContext } from '../../src-shared/progress.js'

export const EXIT_OK = 0
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2

export interface OutputOptions {
  json: boolean
  verbose: boolean
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`
}

function formatAmount(value: number, unit: ProgressEvent['unit']): string {
  return unit === 'bytes' ? formatBytes(value) : `${value.toLocaleString('en-US')}${unit ? ` ${unit}` : ''}`
}

export function describeProgress(event: ProgressEvent): string {
  const parts = [event.phase]
  if (event.done !== undefined) {
    const total = event.total !== undefined ? ` / ${formatAmount(event.total, event.unit)}` : ''
    parts.push(`${formatAmount(event.done, event.unit)}${total}`)
    if (event.total) parts.push(`${Math.floor((100 * event.done) / event.total)}%`)
  }
  if (event.rate !== undefined) parts.push(`${formatAmount(Math.round(event.rate), event.unit)}/s`)
  if (event.message) parts.push(event.message)
  return parts.join('  ')
}

/**
 * Human output goes to stdout; progress is one rewritten line on stderr, and only on a TTY so that
 * logs and pipes stay clean. `--json` prints exactly one JSON document on stdout.
 */
export class Output {
  private progressShown = false
  private lastDraw = 0

  constructor(readonly options: OutputOptions) {}

  context(signal?: AbortSignal): RunContext {
    return {
      signal,
      onProgress: (event) => this.progress(event),
      onLog: (level, message) => this.log(level, message),
    }
  }

  progress(event: ProgressEvent): void {
    if (this.options.json || !process.stderr.isTTY) return
    const now = Date.now()
    if (now - this.lastDraw < 80 && event.done !== event.total) return
    this.lastDraw = now
    const width = process.stderr.columns ?? 100
    process.stderr.write(`\r\x1b[K${describeProgress(event).slice(0, width - 1)}`)
    this.progressShown = true
  }

  private clearProgress(): void {
    if (this.progressShown) process.stderr.write('\r\x1b[K')
    this.progressShown = false
  }

  log(level: LogLevel, message: string): void {
    if (this.options.json && level === 'info') return
    if (level === 'info' && !this.options.verbose) return
    this.clearProgress()
    process.stderr.write(`${level === 'info' ? '' : `${level}: `}${message}\n`)
  }

  /** Prints the human text, or the JSON value under --json. */
  result(human: string | string[], json: unknown): void {
    this.clearProgress()
    if (this.options.json) process.stdout.write(`${JSON.stringify(json, null, 2)}\n`)
    else if ((Array.isArray(human) ? human.length : human.length) > 0)
      process.stdout.write(`${Array.isArray(human) ? human.join('\n') : human}\n`)
  }

  error(error: unknown): ErrorPayload {
    this.clearProgress()
    const payload = toErrorPayload(error)
    if (this.options.json) {
      process.stdout.write(`${JSON.stringify({ error: payload }, null, 2)}\n`)
    } else {
      process.stderr.write(`error [${payload.code}]: ${payload.message}\n  remedy: ${payload.remedy}\n`)
      if (this.options.verbose && error instanceof Error && error.cause)
        process.stderr.write(`  cause: ${String((error.cause as Error).stack ?? error.cause)}\n`)
    }
    return payload
  }
}

export { formatBytes }
