/** Following one job from a screen: its live progress, log, cancel, and what to refresh when it ends. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef, useState } from 'react'
import type { JobSummaryT, ProfileViewT } from '../../../src-shared/contract.js'
import type { ErrorPayload } from '../../../src-shared/errors.js'
import { api, errorPayload } from '../client/api.js'
import { ConfirmDialog } from '../app/Dialogs.js'
import { useToasts } from '../app/Toasts.js'
import { databaseNameOf, formatBytes, formatCount, formatDuration } from './format.js'

/** Screen-level memory of the job each screen follows, so switching tabs keeps it. */
const followed = new Map<string, string>()

export function useFollowedJob(key: string, invalidate: unknown[][]) {
  const [jobId, setJobId] = useState<string | undefined>(() => followed.get(key))
  const queryClient = useQueryClient()
  const jobs = useQuery({
    queryKey: ['jobs.list'],
    queryFn: () => api('jobs.list'),
    refetchInterval: (query) => {
      const job = jobId ? query.state.data?.find((candidate) => candidate.jobId === jobId) : undefined
      return jobId && (!job || job.state === 'running') ? 1500 : false
    },
  })
  const job = jobId ? jobs.data?.find((candidate) => candidate.jobId === jobId) : undefined
  const seenEnd = useRef<string | undefined>(undefined)
  useEffect(() => {
    if (job && job.state !== 'running' && seenEnd.current !== job.jobId) {
      seenEnd.current = job.jobId
      for (const queryKey of invalidate) void queryClient.invalidateQueries({ queryKey })
    }
  }, [job, invalidate, queryClient])
  return {
    job,
    jobId,
    running: !!jobId && (!job || job.state === 'running'),
    follow(id: string | undefined) {
      if (id) followed.set(key, id)
      else followed.delete(key)
      seenEnd.current = undefined
      setJobId(id)
    },
  }
}

function progressText(job: JobSummaryT): string {
  const p = job.progress
  if (!p) return ''
  const parts: string[] = []
  const elapsed = (Date.now() - new Date(job.startedAt).getTime()) / 1000
  if (p.unit === 'bytes') {
    if (p.done !== undefined)
      parts.push(p.total ? `${formatBytes(p.done)} of ${formatBytes(p.total)}` : formatBytes(p.done))
    const rate = p.rate ?? (p.done && elapsed > 0 ? p.done / elapsed : undefined)
    if (rate) parts.push(`${formatBytes(rate)}/s`)
    if (rate && p.total && p.done !== undefined && p.total > p.done)
      parts.push(`ETA ${formatDuration(((p.total - p.done) / rate) * 1000)}`)
  } else if (p.done !== undefined) {
    parts.push(`${formatCount(p.done)}${p.total ? ` of ${formatCount(p.total)}` : ''} ${p.unit ?? ''}`.trim())
    const rate = p.rate ?? (elapsed > 0 ? p.done / elapsed : undefined)
    if (rate && p.unit === 'rows') parts.push(`${formatCount(Math.round(rate))} rows/s`)
  }
  if (p.message) parts.push(p.message)
  return parts.join(' · ')
}

export function ErrorBox({ error, testId }: { error: ErrorPayload; testId?: string }) {
  return (
    <div className="error-box" data-code={error.code} data-testid={testId}>
      <div className="error-code">{error.code}</div>
      <div>{error.message}</div>
      <div className="remedy">
        <span className="label">Remedy</span> {error.remedy}
      </div>
    </div>
  )
}

/** Live progress bar, log and cancel of one job; the outcome once it ends. */
export function JobPanel(props: {
  job?: JobSummaryT
  pendingTitle?: string
  children?: React.ReactNode
  testId?: string
}) {
  const toasts = useToasts()
  const cancel = useMutation({
    mutationFn: (jobId: string) => api('jobs.cancel', { jobId }),
    onError: (error) => toasts.error(error),
  })
  const logRef = useRef<HTMLDivElement>(null)
  const { job } = props
  useEffect(() => {
    if (logRef.current) logRef.current.scrollTop = logRef.current.scrollHeight
  }, [job?.log.length])
  if (!job) {
    return props.pendingTitle ? (
      <div className="job-panel" data-testid={props.testId} data-state="starting">
        <div className="job-panel-head">
          <span className="spinner" aria-hidden="true" /> <strong>{props.pendingTitle}</strong>
        </div>
      </div>
    ) : null
  }
  const { done, total } = job.progress ?? {}
  const pct = done !== undefined && total ? Math.min(100, Math.round((100 * done) / total)) : undefined
  return (
    <div
      className={`job-panel job-panel-${job.state}`}
      data-testid={props.testId}
      data-state={job.state}
      data-job={job.jobId}
    >
      <div className="job-panel-head">
        {job.state === 'running' && <span className="spinner" aria-hidden="true" />}
        <strong>{job.title}</strong>
        <span className={`job-state state-${job.state}`} data-testid="job-state">
          {job.state}
        </span>
        {job.progress?.phase && job.state === 'running' && <span className="muted small">{job.progress.phase}</span>}
        <span className="spacer" />
        {job.endedAt && (
          <span className="muted small">
            {formatDuration(new Date(job.endedAt).getTime() - new Date(job.startedAt).getTime())}
          </span>
        )}
        {job.state === 'running' && (
          <button className="button button-small" data-testid="job-cancel" onClick={() => cancel.mutate(job.jobId)}>
            Cancel
          </button>
        )}
      </div>
      {job.state === 'running' && (
        <>
          <div className="progress" role="progressbar" aria-valuenow={pct} data-testid="job-progress">
            <div
              className={`progress-bar${pct === undefined ? ' indeterminate' : ''}`}
              style={{ width: `${pct ?? 40}%` }}
            />
          </div>
          <div className="small muted" data-testid="job-progress-text">
            {progressText(job)}
          </div>
        </>
      )}
      {job.error && <ErrorBox error={job.error} testId="job-error" />}
      {props.children}
      {job.log.length > 0 && (
        <div className="job-panel-log" ref={logRef} data-testid="job-log">
          {job.log.map((line, index) => (
            <div key={index} className={`log-line log-${line.level}`}>
              <span className="muted">{new Date(line.at).toLocaleTimeString()}</span> {line.message}
            </div>
          ))}
        </div>
      )}
    </div>
  )
}

/** The safety net's result: the automatic backup taken first, and a one-click way back to it. */
export function UndoByRestoring(props: {
  profile: ProfileViewT
  password?: string
  backupId: string
  onStarted: (jobId: string) => void
}) {
  const toasts = useToasts()
  const [confirming, setConfirming] = useState(false)
  const name = databaseNameOf(props.profile)
  const restore = useMutation({
    mutationFn: () =>
      api('backups.restore', {
        profileId: props.profile.id,
        password: props.password,
        id: props.backupId,
        confirm: name,
      }),
    onSuccess: (ref) => props.onStarted(ref.jobId),
    onError: (error) => toasts.error(error),
  })
  return (
    <div className="safety-note" data-testid="safety-note">
      <span>
        <strong>Safety net:</strong> backup <code>{props.backupId}</code> was taken first.
      </span>
      <button className="button button-small" data-testid="undo-restore" onClick={() => setConfirming(true)}>
        Undo by restoring it
      </button>
      {confirming && (
        <ConfirmDialog
          title="Undo by restoring the safety backup"
          message={`This replaces everything in ${name} with the backup ${props.backupId}, taken just before the operation.`}
          confirmLabel="Restore"
          typeToConfirm={name}
          onConfirm={() => restore.mutate()}
          onClose={() => setConfirming(false)}
        />
      )}
    </div>
  )
}

export { errorPayload }
