/**
 * The Backups screen: history with size, compression ratio, duration, migration version and
 * verified state; a chart of size over time; back up now (progress, rate, ETA, cancel), restore
 * (over this database after typing its name, or into a new one), verify, delete, clean up with a
 * retention preview, and reveal the file.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useMemo, useState } from 'react'
import type { Output, ProfileViewT } from '../../../src-shared/contract.js'
import { api, errorPayload } from '../client/api.js'
import { ConfirmDialog } from '../app/Dialogs.js'
import { useToasts } from '../app/Toasts.js'
import { Dialog } from '../app/ui.js'
import { BarChart } from './BarChart.js'
import { databaseNameOf, formatBytes, formatDuration, formatTime } from './format.js'
import { ErrorBox, JobPanel, UndoByRestoring, useFollowedJob } from './jobs.js'
import { AskPasswordCard, useAskedPassword } from './password.js'
import './screens.css'

type Backup = Output<'backups.list'>['backups'][number]
type BackupFormat = '' | 'plain' | 'custom' | 'directory'

/** pg_dump's archive formats, offered on PostgreSQL profiles only ('' keeps the configured format). */
const POSTGRES_FORMATS: Array<[BackupFormat, string]> = [
  ['', 'Configured format'],
  ['plain', 'SQL (plain)'],
  ['custom', 'Custom archive'],
  ['directory', 'Directory (parallel)'],
]

export function BackupsTab({ profile }: { profile: ProfileViewT }) {
  const toasts = useToasts()
  const queryClient = useQueryClient()
  const list = useQuery({
    queryKey: ['backups.list', profile.id],
    queryFn: () => api('backups.list', { profileId: profile.id }),
  })
  const invalidate = useMemo(
    () => [
      ['backups.list', profile.id],
      ['migrations.status', profile.id],
    ],
    [profile.id],
  )
  const job = useFollowedJob(`backups:${profile.id}`, invalidate)
  const [label, setLabel] = useState('')
  const [format, setFormat] = useState<BackupFormat>('')
  const [restoring, setRestoring] = useState<Backup>()
  const [deleting, setDeleting] = useState<Backup>()
  const [cleaning, setCleaning] = useState(false)
  const [revealed, setRevealed] = useState<string>()
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['backups.list', profile.id] })
  const asked = useAskedPassword(profile)
  const password = asked.password

  const start = (promise: Promise<{ jobId: string }>) =>
    promise.then(
      (ref) => job.follow(ref.jobId),
      (error: unknown) => toasts.error(error),
    )
  const remove = useMutation({
    mutationFn: (id: string) => api('backups.delete', { profileId: profile.id, id }),
    onSuccess: (result) => {
      toasts.success('Backup deleted', result.deleted)
      refresh()
    },
    onError: (error) => toasts.error(error),
  })
  const safetyNet = useMutation({
    mutationFn: (enabled: boolean) => api('backups.setSafetyNet', { profileId: profile.id, enabled }),
    onSuccess: (result) => {
      toasts.info(result.enabled ? 'Safety backups on' : 'Safety backups off')
      void queryClient.invalidateQueries({ queryKey: ['profiles.list'] })
    },
    onError: (error) => toasts.error(error),
  })
  const reveal = useMutation({
    mutationFn: (id: string) => api('backups.reveal', { profileId: profile.id, id }),
    onError: (error) => {
      const payload = errorPayload(error)
      if (typeof payload.details?.path === 'string') setRevealed(payload.details.path)
      else toasts.error(error)
    },
  })
  const data = list.data
  const result =
    job.job?.state === 'done' ? (job.job.result as { safetyBackupId?: string; target?: string }) : undefined

  if (asked.missing) return <AskPasswordCard profile={profile} onSubmit={(value) => asked.set(value)} />
  return (
    <div className="screen backups-screen" data-testid="backups-screen">
      <div className="toolbar">
        <input
          className="label-input"
          placeholder="Label (optional)"
          value={label}
          onChange={(event) => setLabel(event.target.value)}
          data-testid="backup-label"
        />
        {profile.driver === 'postgres' && (
          <select
            value={format}
            onChange={(event) => setFormat(event.target.value as BackupFormat)}
            title="Directory: pg_dump -Fd, dumped and restored in parallel (one job per CPU)"
            data-testid="backup-format"
          >
            {POSTGRES_FORMATS.map(([value, name]) => (
              <option key={value} value={value}>
                {name}
              </option>
            ))}
          </select>
        )}
        <button
          className="button button-primary"
          data-testid="backup-now"
          disabled={job.running}
          onClick={() => {
            void start(
              api('backups.create', {
                profileId: profile.id,
                password,
                label: label.trim() || undefined,
                format: profile.driver === 'postgres' && format ? format : undefined,
              }),
            )
            setLabel('')
          }}
        >
          Back up now
        </button>
        <button
          className="button"
          data-testid="backup-clean"
          onClick={() => setCleaning(true)}
          disabled={!data?.backups.length}
        >
          Clean up…
        </button>
        <label
          className="checkbox-line small"
          title="On production profiles, take a backup automatically before migrate down/redo, restore, and seed with truncate"
        >
          <input
            type="checkbox"
            checked={profile.safetyBackups !== false}
            onChange={(event) => safetyNet.mutate(event.target.checked)}
            data-testid="safety-toggle"
          />{' '}
          Safety backups
        </label>
        <span className="spacer" />
        {data && <code className="muted small path">{data.dir}</code>}
        <button className="button button-small" onClick={refresh} disabled={list.isFetching}>
          {list.isFetching ? 'Loading…' : 'Refresh'}
        </button>
      </div>
      {list.error && <ErrorBox error={errorPayload(list.error)} />}
      {(job.job || job.running) && (
        <JobPanel job={job.job} pendingTitle="Starting…" testId="backup-job">
          {result?.target && (
            <div className="small" data-testid="restore-result">
              Restored into <code>{result.target}</code>.
            </div>
          )}
          {result?.safetyBackupId && (
            <UndoByRestoring
              profile={profile}
              password={password}
              backupId={result.safetyBackupId}
              onStarted={(id) => job.follow(id)}
            />
          )}
        </JobPanel>
      )}
      {revealed && (
        <div className="validation" data-testid="reveal-path">
          The browser cannot open your file manager; the file is at <code className="selectable">{revealed}</code>
          <button className="icon-button" aria-label="Dismiss" onClick={() => setRevealed(undefined)}>
            ×
          </button>
        </div>
      )}
      {data?.problems.map((problem) => (
        <div key={problem.name} className="problem-line">
          ⚠ {problem.message}
        </div>
      ))}
      {data && (
        <div className="card chart-card">
          <div className="card-title-row">
            <h3>Backup size over time</h3>
            <span className="muted small">stored (compressed) size</span>
          </div>
          <BarChart
            testId="backup-chart"
            empty="No backups yet."
            format={formatBytes}
            points={data.backups.map((backup) => ({
              at: new Date(backup.createdAt).getTime(),
              value: backup.sizeCompressed,
              label: `${formatTime(backup.createdAt)}${backup.label ? ` ${backup.label}` : ''}`,
              tone: backup.label?.startsWith('auto:') ? 'warn' : 'accent',
            }))}
          />
        </div>
      )}
      {data && (
        <div className="card table-card">
          <table className="table grid-table backups-table" data-testid="backup-table">
            <thead>
              <tr>
                <th>Time</th>
                <th>Label</th>
                <th className="num">Size</th>
                <th className="num">Ratio</th>
                <th className="num">Duration</th>
                <th>Migration</th>
                <th>Verified</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {data.backups.map((backup) => (
                <tr key={backup.id} data-testid="backup-row" data-id={backup.id} data-label={backup.label ?? ''}>
                  <td title={backup.id}>{formatTime(backup.createdAt)}</td>
                  <td className="label-cell" title={backup.label}>
                    {backup.label ? (
                      <span className={backup.label.startsWith('auto:') ? 'auto-label' : ''}>{backup.label}</span>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td className="num" title={`${backup.format} · ${backup.compression} · ${backup.tool}`}>
                    {formatBytes(backup.sizeCompressed)}
                  </td>
                  <td className="num muted">
                    {backup.sizeRaw && backup.sizeCompressed
                      ? `${(backup.sizeRaw / backup.sizeCompressed).toFixed(1)}×`
                      : '—'}
                  </td>
                  <td className="num muted">{formatDuration(backup.durationMs)}</td>
                  <td>
                    <code>{backup.migrationVersion ?? '—'}</code>
                  </td>
                  <td data-testid="backup-verified">
                    {backup.verifiedAt ? (
                      <span className="ok-text" title={formatTime(backup.verifiedAt)}>
                        ✓ verified
                      </span>
                    ) : (
                      <span className="muted">not yet</span>
                    )}
                  </td>
                  <td className="row-actions">
                    <button
                      className="button button-small"
                      data-testid="backup-restore"
                      disabled={job.running}
                      onClick={() => setRestoring(backup)}
                    >
                      Restore…
                    </button>
                    <button
                      className="button button-small"
                      data-testid="backup-verify"
                      disabled={job.running}
                      onClick={() => void start(api('backups.verify', { profileId: profile.id, id: backup.id }))}
                    >
                      Verify
                    </button>
                    <button
                      className="button button-small"
                      data-testid="backup-reveal"
                      onClick={() => reveal.mutate(backup.id)}
                    >
                      Reveal
                    </button>
                    <button
                      className="button button-small button-danger-quiet"
                      data-testid="backup-delete"
                      onClick={() => setDeleting(backup)}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
              {data.backups.length === 0 && (
                <tr>
                  <td colSpan={8} className="muted">
                    No backups in this folder yet. “Back up now” takes one.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
      {restoring && (
        <RestoreDialog
          profile={profile}
          backup={restoring}
          onClose={() => setRestoring(undefined)}
          onStart={(input) => {
            setRestoring(undefined)
            void start(api('backups.restore', { profileId: profile.id, password, id: restoring.id, ...input }))
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title="Delete backup"
          message={`Delete ${deleting.id} (${formatBytes(deleting.sizeCompressed)}) and its metadata? This cannot be undone.`}
          confirmLabel="Delete"
          onConfirm={() => remove.mutate(deleting.id)}
          onClose={() => setDeleting(undefined)}
        />
      )}
      {cleaning && data && (
        <CleanDialog
          profile={profile}
          retention={data.retention}
          onClose={() => setCleaning(false)}
          onDone={() => {
            setCleaning(false)
            refresh()
          }}
        />
      )}
    </div>
  )
}

function RestoreDialog(props: {
  profile: ProfileViewT
  backup: Backup
  onClose: () => void
  onStart: (input: { targetDb?: string; confirm?: string }) => void
}) {
  const name = databaseNameOf(props.profile)
  const [mode, setMode] = useState<'new' | 'same'>('new')
  const suggested =
    props.profile.driver === 'sqlite'
      ? (props.profile.database ?? 'restored.sqlite').replace(/(\.sqlite3?|\.db)?$/, '_restored.sqlite')
      : `${name}_restored`
  const [target, setTarget] = useState(suggested)
  const [typed, setTyped] = useState('')
  const ready = mode === 'new' ? target.trim().length > 0 : typed === name
  return (
    <Dialog
      title={`Restore ${props.backup.id}`}
      onClose={props.onClose}
      footer={
        <>
          <button className="button" onClick={props.onClose}>
            Cancel
          </button>
          <button
            className={`button ${mode === 'same' ? 'button-danger' : 'button-primary'}`}
            disabled={!ready}
            data-testid="restore-confirm"
            onClick={() => props.onStart(mode === 'new' ? { targetDb: target.trim() } : { confirm: typed })}
          >
            Restore
          </button>
        </>
      }
    >
      <p className="small muted">
        Taken {formatTime(props.backup.createdAt)} · {formatBytes(props.backup.sizeCompressed)} · migration{' '}
        {props.backup.migrationVersion ?? 'none'}. It is verified before anything is changed.
      </p>
      <label className="radio-line">
        <input type="radio" checked={mode === 'new'} onChange={() => setMode('new')} data-testid="restore-mode-new" />
        <span>Into a new database (nothing existing is touched)</span>
      </label>
      {mode === 'new' && (
        <label className="field indent">
          <span>{props.profile.driver === 'sqlite' ? 'New database file' : 'New database name'}</span>
          <input
            value={target}
            onChange={(e) => setTarget(e.target.value)}
            data-testid="restore-target"
            spellCheck={false}
          />
        </label>
      )}
      <label className="radio-line">
        <input
          type="radio"
          checked={mode === 'same'}
          onChange={() => setMode('same')}
          data-testid="restore-mode-same"
        />
        <span>
          Over this database <code>{name}</code> — every object in it is dropped and recreated
        </span>
      </label>
      {mode === 'same' && (
        <label className="field indent">
          <span>
            Type <code>{name}</code> to confirm
          </span>
          <input
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            data-testid="confirm-input"
            spellCheck={false}
          />
          {props.profile.environment === 'production' && props.profile.safetyBackups !== false && (
            <small>A safety backup of the current data is taken first.</small>
          )}
        </label>
      )}
    </Dialog>
  )
}

function CleanDialog(props: {
  profile: ProfileViewT
  retention: { keep?: number; maxAge?: number }
  onClose: () => void
  onDone: () => void
}) {
  const toasts = useToasts()
  const [keep, setKeep] = useState(String(props.retention.keep ?? 5))
  const [days, setDays] = useState(props.retention.maxAge ? String(props.retention.maxAge / 86_400_000) : '')
  const input = {
    profileId: props.profile.id,
    keep: keep ? Math.max(1, Number(keep)) : undefined,
    maxAgeDays: days ? Number(days) : undefined,
  }
  const plan = useQuery({
    queryKey: ['backups.clean.preview', input],
    queryFn: () => api('backups.clean', { ...input, dryRun: true }),
    enabled: input.keep !== undefined || input.maxAgeDays !== undefined,
  })
  const clean = useMutation({
    mutationFn: () => api('backups.clean', { ...input, dryRun: false }),
    onSuccess: (result) => {
      toasts.success('Cleaned up', `${result.deleted.length} backup(s) deleted`)
      props.onDone()
    },
    onError: (error) => toasts.error(error),
  })
  const deleted = plan.data?.deleted ?? []
  return (
    <Dialog
      title="Clean up backups"
      onClose={props.onClose}
      wide
      footer={
        <>
          <button className="button" onClick={props.onClose}>
            Cancel
          </button>
          <button
            className="button button-danger"
            disabled={!deleted.length || clean.isPending}
            data-testid="clean-confirm"
            onClick={() => clean.mutate()}
          >
            Delete {deleted.length} backup{deleted.length === 1 ? '' : 's'}
          </button>
        </>
      }
    >
      <div className="inline-fields">
        <label className="field">
          <span>Keep the newest</span>
          <input
            type="number"
            min={1}
            value={keep}
            onChange={(e) => setKeep(e.target.value)}
            data-testid="clean-keep"
          />
        </label>
        <label className="field">
          <span>and those younger than (days)</span>
          <input type="number" min={0} value={days} onChange={(e) => setDays(e.target.value)} />
        </label>
      </div>
      {plan.error && <ErrorBox error={errorPayload(plan.error)} />}
      {plan.data && (
        <table className="table grid-table" data-testid="clean-preview">
          <tbody>
            {[
              ...plan.data.deleted.map((b) => ['delete', b] as const),
              ...plan.data.kept.map((b) => ['keep', b] as const),
            ]
              .sort((a, b) => b[1].createdAt.localeCompare(a[1].createdAt))
              .map(([fate, backup]) => (
                <tr key={backup.id} className={fate === 'delete' ? 'row-delete' : ''}>
                  <td>
                    {fate === 'delete' ? (
                      <span className="bad-text">delete</span>
                    ) : (
                      <span className="ok-text">keep</span>
                    )}
                  </td>
                  <td>{formatTime(backup.createdAt)}</td>
                  <td>{backup.label ?? ''}</td>
                  <td className="num" title={`${backup.format} · ${backup.compression} · ${backup.tool}`}>
                    {formatBytes(backup.sizeCompressed)}
                  </td>
                  <td className="muted small">
                    {plan.data.protected.some((p) => p.id === backup.id) ? 'newest verified: always kept' : ''}
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
      )}
    </Dialog>
  )
}
