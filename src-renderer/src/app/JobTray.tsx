import { useMutation } from '@tanstack/react-query'
import type { JobSummaryT } from '../../../src-shared/contract.js'
import { api } from '../client/api.js'
import { useToasts } from './Toasts.js'

function percent(job: JobSummaryT): number | undefined {
  const { done, total } = job.progress ?? {}
  return done !== undefined && total ? Math.round((100 * done) / total) : undefined
}

export function JobTray(props: { jobs: JobSummaryT[]; open: boolean; onToggle: () => void }) {
  const toasts = useToasts()
  const cancel = useMutation({
    mutationFn: (jobId: string) => api('jobs.cancel', { jobId }),
    onError: (error) => toasts.error(error),
  })
  const running = props.jobs.filter((job) => job.state === 'running').length
  return (
    <>
      <button
        className={`status-item jobs-button${running ? ' busy' : ''}`}
        onClick={props.onToggle}
        aria-expanded={props.open}
        data-testid="jobs-button"
        title="Jobs (Shift+J)"
      >
        {running ? <span className="spinner" aria-hidden="true" /> : '◷'} {running ? `${running} running` : 'Jobs'}
      </button>
      {props.open && (
        <div className="job-tray" role="region" aria-label="Jobs">
          <header>
            <strong>Jobs</strong>
            <button className="icon-button" aria-label="Close jobs" onClick={props.onToggle}>
              ×
            </button>
          </header>
          {props.jobs.length === 0 && (
            <div className="empty-hint">
              No jobs yet. Long work (tests of every profile, migrations, backups) shows here.
            </div>
          )}
          <ul>
            {props.jobs.map((job) => {
              const pct = percent(job)
              const lastLog = job.log[job.log.length - 1]
              return (
                <li key={job.jobId} className={`job job-${job.state}`} data-testid="job">
                  <div className="job-line">
                    <span className="job-title">{job.title}</span>
                    <span className={`job-state state-${job.state}`}>{job.state}</span>
                    {job.state === 'running' && (
                      <button className="button button-small" onClick={() => cancel.mutate(job.jobId)}>
                        Cancel
                      </button>
                    )}
                  </div>
                  {job.state === 'running' && (
                    <div className="progress" aria-valuenow={pct} role="progressbar">
                      <div
                        className={`progress-bar${pct === undefined ? ' indeterminate' : ''}`}
                        style={{ width: `${pct ?? 40}%` }}
                      />
                    </div>
                  )}
                  {job.progress?.message && job.state === 'running' && (
                    <div className="muted small">{job.progress.message}</div>
                  )}
                  {job.state === 'running' && lastLog && (
                    <div className={`muted small log-${lastLog.level}`}>{lastLog.message}</div>
                  )}
                  {job.state !== 'running' && job.log.length > 0 && (
                    <ul className="job-log">
                      {job.log.slice(-6).map((line, index) => (
                        <li key={index} className={`small log-${line.level}`}>
                          {line.message}
                        </li>
                      ))}
                    </ul>
                  )}
                  {job.error && <div className="small log-error">{job.error.message}</div>}
                </li>
              )
            })}
          </ul>
        </div>
      )}
    </>
  )
}
