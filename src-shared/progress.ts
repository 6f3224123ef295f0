/** Progress of long work (migrate, backup, restore, import), the same for the CLI line and the UI bar. */
export interface ProgressEvent {
  /** What is happening now, e.g. "dumping", "compressing", "applying 20240101_init". */
  phase: string
  /** Units done so far and, when known, the total. */
  done?: number
  total?: number
  unit?: 'bytes' | 'rows' | 'statements' | 'migrations' | 'pages'
  /** Units per second over the work so far. */
  rate?: number
  message?: string
}

export type LogLevel = 'info' | 'warn' | 'error'

/** What every engine call takes besides its own options: cancellation and reporting. */
export interface RunContext {
  signal?: AbortSignal
  onProgress?: (event: ProgressEvent) => void
  onLog?: (level: LogLevel, message: string) => void
}
