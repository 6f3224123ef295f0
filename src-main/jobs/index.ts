/**
 * Long work runs as jobs: `start` returns a job id at once, the work runs in the background with an
 * AbortSignal and progress/log callbacks, and every subscriber (the Electron window, the web
 * socket, a test) receives the same events. Finished jobs are kept (a bounded number) so a window
 * that reloads can list them again.
 */
import { randomUUID } from 'node:crypto'
import { toErrorPayload, type ErrorPayload } from '../../src-shared/errors.js'
import type { LogLevel, ProgressEvent } from '../../src-shared/progress.js'
import type { JobEventT, JobSummaryT } from '../../src-shared/contract.js'

export type JobWork<T> = (
  signal: AbortSignal,
  progress: (event: ProgressEvent) => void,
  log: (level: LogLevel, message: string) => void,
) => Promise<T>

export type JobListener = (event: JobEventT) => void

interface JobRecord {
  summary: JobSummaryT
  controller: AbortController
  finished: Promise<void>
}

export interface JobRunnerOptions {
  /** Finished jobs kept for `list`; the oldest are forgotten first. */
  keepFinished?: number
  /** Log lines kept per job. */
  keepLog?: number
}

export class JobRunner {
  private readonly jobs = new Map<string, JobRecord>()
  private readonly listeners = new Set<JobListener>()
  private readonly keepFinished: number
  private readonly keepLog: number

  constructor(options: JobRunnerOptions = {}) {
    this.keepFinished = options.keepFinished ?? 50
    this.keepLog = options.keepLog ?? 200
  }

  /** Registers a listener for every job's events; returns the function that removes it. */
  subscribe(listener: JobListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private emit(event: JobEventT): void {
    for (const listener of this.listeners) {
      try {
        listener(event)
      } catch {
        // A broken subscriber (a closed socket) must not stop the job or the other subscribers.
      }
    }
  }

  start<T>(kind: string, title: string, work: JobWork<T>): { jobId: string } {
    const jobId = randomUUID()
    const controller = new AbortController()
    const summary: JobSummaryT = { jobId, kind, title, state: 'running', startedAt: new Date().toISOString(), log: [] }
    const record: JobRecord = { summary, controller, finished: Promise.resolve() }
    this.jobs.set(jobId, record)
    this.emit({ type: 'started', jobId, kind, title })

    const progress = (event: ProgressEvent) => {
      if (summary.state !== 'running') return
      summary.progress = event
      this.emit({ type: 'progress', jobId, progress: event })
    }
    const log = (level: LogLevel, message: string) => {
      if (summary.state !== 'running') return
      summary.log.push({ level, message, at: new Date().toISOString() })
      if (summary.log.length > this.keepLog) summary.log.splice(0, summary.log.length - this.keepLog)
      this.emit({ type: 'log', jobId, level, message })
    }

    // Run on the next tick so the caller has the job id before any event about it arrives.
    record.finished = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => work(controller.signal, progress, log))
      .then(
        (result) => {
          if (controller.signal.aborted) return this.finish(record, 'cancelled')
          summary.result = result
          this.finish(record, 'done')
          this.emit({ type: 'done', jobId, result })
        },
        (error: unknown) => {
          const payload: ErrorPayload = toErrorPayload(error)
          if (controller.signal.aborted || payload.code === 'CANCELLED') return this.finish(record, 'cancelled')
          summary.error = payload
          this.finish(record, 'failed')
          this.emit({ type: 'failed', jobId, error: payload })
        },
      )
    return { jobId }
  }

  private finish(record: JobRecord, state: 'done' | 'failed' | 'cancelled'): void {
    record.summary.state = state
    record.summary.endedAt = new Date().toISOString()
    if (state === 'cancelled') this.emit({ type: 'cancelled', jobId: record.summary.jobId })
    this.prune()
  }

  private prune(): void {
    const finished = [...this.jobs.values()].filter((job) => job.summary.state !== 'running')
    for (const job of finished.slice(0, Math.max(0, finished.length - this.keepFinished)))
      this.jobs.delete(job.summary.jobId)
  }

  /** Asks a running job to stop; returns false when it is unknown or already finished. */
  cancel(jobId: string): boolean {
    const job = this.jobs.get(jobId)
    if (!job || job.summary.state !== 'running') return false
    job.controller.abort()
    return true
  }

  list(): JobSummaryT[] {
    return [...this.jobs.values()].map((job) => structuredClone(job.summary)).reverse()
  }

  get(jobId: string): JobSummaryT | undefined {
    const job = this.jobs.get(jobId)
    return job && structuredClone(job.summary)
  }

  /** Resolves when the job has finished (whatever its outcome); for tests and shutdown. */
  async wait(jobId: string): Promise<JobSummaryT | undefined> {
    await this.jobs.get(jobId)?.finished
    return this.get(jobId)
  }

  /** Cancels every running job and waits for them to stop (app quit, server close). */
  async shutdown(): Promise<void> {
    const running = [...this.jobs.values()].filter((job) => job.summary.state === 'running')
    for (const job of running) job.controller.abort()
    await Promise.all(running.map((job) => job.finished))
  }
}
