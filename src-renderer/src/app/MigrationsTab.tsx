/**
 * The Migrations screen: a virtualized timeline of every migration (newest first) with a chart of
 * durations, the selected migration's SQL and checksums, and every action (apply, roll back, redo,
 * validate, repair, baseline, create) behind a dry-run preview of the exact SQL. Runs are jobs:
 * live progress and log, cancel, and on production the safety backup with "undo by restoring it".
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useVirtualizer } from '@tanstack/react-virtual'
import { memo, useEffect, useMemo, useRef, useState } from 'react'
import type { AppInfoT, Input, MigrationStatusViewT, ProfileViewT } from '../../../src-shared/contract.js'
import { api, errorPayload } from '../client/api.js'
import { BarChart } from '../screens/BarChart.js'
import { databaseNameOf, formatDuration, formatTime } from '../screens/format.js'
import { ErrorBox, JobPanel, UndoByRestoring, useFollowedJob } from '../screens/jobs.js'
import { AskPasswordCard, useAskedPassword } from '../screens/password.js'
import { SqlView } from '../screens/sql.js'
import '../screens/screens.css'
import { AdoptBanner } from './AdoptPanel.js'
import { ConfirmDialog, TextPrompt } from './Dialogs.js'
import { useToasts } from './Toasts.js'
import { Dialog } from './ui.js'

type Entry = MigrationStatusViewT['entries'][number]
type RunInput = Input<'migrations.run'>

export const STATE_LABELS: Record<string, string> = {
  applied: 'applied',
  pending: 'pending',
  partial: 'failed (partial)',
  partial_down: 'failed (partial down)',
  missing_file: 'file missing',
  checksum_drift: 'checksum drift',
  out_of_order: 'out of order',
}

const FILTERS = ['all', 'applied', 'pending', 'problems'] as const
const PROBLEM_STATES = new Set(['partial', 'partial_down', 'missing_file', 'checksum_drift', 'out_of_order'])

function describeAction(input: RunInput): string {
  switch (input.action) {
    case 'up':
      return input.to ? `Apply up to ${input.to}` : 'Apply all pending'
    case 'down':
      return input.to ? `Roll back to ${input.to}` : 'Roll back the last migration'
    case 'goto':
      return `Migrate to ${input.to}`
    case 'redo':
      return 'Redo the last migration'
    case 'resume':
      return 'Resume the stopped migration'
  }
}

/** One collator for every comparison: `localeCompare` with options builds a new one per call (slow for 10,000). */
const versionCollator = new Intl.Collator('en', { numeric: true })
const compareDesc = (a: Entry, b: Entry) => versionCollator.compare(b.version, a.version)

export function MigrationsTab({ profile }: { profile: ProfileViewT; info?: AppInfoT }) {
  const toasts = useToasts()
  const queryClient = useQueryClient()
  const asked = useAskedPassword(profile)
  const password = asked.password
  const canLoad = !!profile.folders.migrations && !asked.missing
  const status = useQuery({
    queryKey: ['migrations.status', profile.id],
    queryFn: () => api('migrations.status', { profileId: profile.id, password }),
    enabled: canLoad,
  })
  const invalidate = useMemo(
    () => [
      ['migrations.status', profile.id],
      ['migrations.detail', profile.id],
      ['backups.list', profile.id],
      ['adopt.detect', profile.id],
    ],
    [profile.id],
  )
  const job = useFollowedJob(`migrations:${profile.id}`, invalidate)
  const [selected, setSelected] = useState<string>()
  const [filter, setFilter] = useState<(typeof FILTERS)[number]>('all')
  const [search, setSearch] = useState('')
  const [preview, setPreview] = useState<RunInput>()
  const [creating, setCreating] = useState(false)
  const [baselining, setBaselining] = useState<string>()
  const [validation, setValidation] = useState<{ ok: boolean; problems: string[] }>()

  // A validation result describes the status it was made against; a new status makes it stale.
  useEffect(() => setValidation(undefined), [status.dataUpdatedAt])

  const entries = useMemo(() => {
    const all = [...(status.data?.entries ?? [])].sort(compareDesc)
    const needle = search.trim().toLowerCase()
    return all.filter(
      (entry) =>
        (filter === 'all' ||
          (filter === 'applied' && entry.state === 'applied') ||
          (filter === 'pending' && entry.state === 'pending') ||
          (filter === 'problems' && PROBLEM_STATES.has(entry.state))) &&
        (!needle || entry.version.toLowerCase().includes(needle) || entry.name.toLowerCase().includes(needle)),
    )
  }, [status.data, filter, search])
  const chartPoints = useMemo(
    () =>
      (status.data?.entries ?? [])
        .filter((entry) => entry.appliedAt && entry.executionMs !== undefined)
        .map((entry, index) => ({
          // Same apply time (one run): keep file order.
          at: new Date(entry.appliedAt!).getTime() + index / 1e6,
          value: entry.executionMs!,
          label: `${entry.version} ${entry.name}`,
          tone: entry.state === 'applied' ? ('accent' as const) : ('warn' as const),
        })),
    [status.data],
  )
  const selectedEntry = status.data?.entries.find((entry) => entry.version === selected)

  const refresh = () => {
    for (const queryKey of invalidate) void queryClient.invalidateQueries({ queryKey })
  }
  const validate = useMutation({
    mutationFn: () => api('migrations.validate', { profileId: profile.id, password }),
    onSuccess: (result) => setValidation(result),
    onError: (error) => toasts.error(error),
  })
  const repair = useMutation({
    mutationFn: (input: Omit<Input<'migrations.repair'>, 'profileId'>) =>
      api('migrations.repair', { profileId: profile.id, password, ...input }),
    onSuccess: (result) => {
      toasts.success('Repaired', result.actions.join('; ') || 'nothing to do')
      refresh()
    },
    onError: (error) => toasts.error(error),
  })
  const baseline = useMutation({
    mutationFn: (version: string) => api('migrations.baseline', { profileId: profile.id, password, version }),
    onSuccess: (result) => {
      toasts.success('Baselined', `current version ${result.current ?? '—'}`)
      refresh()
    },
    onError: (error) => toasts.error(error),
  })
  const create = useMutation({
    mutationFn: (name: string) => api('migrations.create', { profileId: profile.id, name }),
    onSuccess: (result) => {
      toasts.success(
        'Migration created',
        result.opened ? `Opened ${result.files[0]}` : `Open ${result.files.join(' and ')} in your editor.`,
      )
      refresh()
    },
    onError: (error) => toasts.error(error),
  })

  if (!profile.folders.migrations) {
    return (
      <div className="card">
        <p className="muted">This profile has no migrations folder. Edit it to set one.</p>
      </div>
    )
  }
  if (asked.missing) return <AskPasswordCard profile={profile} onSubmit={(value) => asked.set(value)} />

  const data = status.data
  const drift = data?.entries.some((entry) => entry.state === 'checksum_drift')
  const partial = data?.entries.find((entry) => entry.state === 'partial' || entry.state === 'partial_down')
  const result =
    job.job?.state === 'done' ? (job.job.result as { safetyBackupId?: string; steps?: unknown[] }) : undefined
  const busy = job.running

  return (
    <div className="screen migrations-screen" data-testid="migrations-screen">
      <div className="toolbar">
        <button
          className="button button-primary"
          data-testid="mig-apply-all"
          disabled={busy || !data?.pending || profile.readOnly}
          onClick={() => setPreview({ profileId: profile.id, password, action: 'up' })}
        >
          Apply {data?.pending ? `${data.pending} pending` : 'pending'}
        </button>
        <button
          className="button"
          data-testid="mig-redo"
          disabled={busy || !data?.current || profile.readOnly}
          onClick={() => setPreview({ profileId: profile.id, password, action: 'redo' })}
        >
          Redo last
        </button>
        <button
          className="button"
          data-testid="mig-down"
          disabled={busy || !data?.current || profile.readOnly}
          onClick={() => setPreview({ profileId: profile.id, password, action: 'down', step: 1 })}
        >
          Roll back last
        </button>
        {partial && (
          <button
            className="button"
            disabled={busy}
            onClick={() => setPreview({ profileId: profile.id, password, action: 'resume' })}
          >
            Resume {partial.version}
          </button>
        )}
        <span className="toolbar-sep" />
        <button
          className="button"
          data-testid="mig-validate"
          disabled={validate.isPending}
          onClick={() => validate.mutate()}
        >
          Validate
        </button>
        {drift && (
          <button
            className="button"
            data-testid="mig-repair-checksums"
            disabled={busy || profile.readOnly}
            onClick={() => repair.mutate({ checksums: true })}
            title="Re-record the checksums of applied migrations whose files were edited on purpose"
          >
            Repair checksums
          </button>
        )}
        <button className="button" data-testid="mig-create" onClick={() => setCreating(true)}>
          New migration…
        </button>
        <span className="spacer" />
        <button
          className="button button-small"
          onClick={refresh}
          disabled={status.isFetching}
          data-testid="mig-refresh"
        >
          {status.isFetching ? 'Loading…' : 'Refresh'}
        </button>
      </div>

      {status.error && <ErrorBox error={errorPayload(status.error)} testId="migrations-error" />}
      {status.error && profile.passwordMode === 'ask' && errorPayload(status.error).code === 'AUTH_FAILED' && (
        <div>
          <button className="button button-small" onClick={() => asked.set(undefined)}>
            Enter the password again…
          </button>
        </div>
      )}

      {data && (
        <div className="summary-strip" data-testid="migrations-summary">
          <span>
            Current <strong data-testid="mig-current">{data.current ?? 'none'}</strong>
          </span>
          <span>
            Pending <strong data-testid="mig-pending">{data.pending}</strong>
          </span>
          <span>
            Total <strong>{data.entries.length.toLocaleString('en-US')}</strong>
          </span>
          {!data.lock && (
            <span className="muted" data-testid="mig-lock">
              Lock free
            </span>
          )}
          <code className="muted small path">{data.dir}</code>
        </div>
      )}
      {data?.lock && (
        <div className="lock-banner" data-testid="mig-lock" role="status">
          Locked: another process holds the migration lock since {formatTime(data.lock.since)} ({data.lock.owner}).
          Actions wait for it (up to the lock timeout).
        </div>
      )}
      {data && (
        <AdoptBanner
          profile={profile}
          password={password}
          hasHistory={data.entries.some((entry) => entry.state !== 'pending')}
          busy={busy}
          onStarted={(jobId) => job.follow(jobId)}
        />
      )}
      {data?.problems.map((problem) => (
        <div key={problem} className="problem-line" data-testid="mig-problem">
          ⚠ {problem}
        </div>
      ))}
      {validation && (
        <div className={`validation ${validation.ok ? 'ok' : 'bad'}`} data-testid="mig-validation">
          {validation.ok ? '✓ Files and history agree.' : `✗ ${validation.problems.length} problem(s):`}
          {validation.problems.map((problem) => (
            <div key={problem} className="small">
              {problem}
            </div>
          ))}
          <button className="icon-button" aria-label="Dismiss" onClick={() => setValidation(undefined)}>
            ×
          </button>
        </div>
      )}

      {(job.job || job.running) && (
        <JobPanel job={job.job} pendingTitle="Starting…" testId="mig-job">
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

      {data && (
        <div className="card chart-card">
          <div className="card-title-row">
            <h3>Duration of applied migrations</h3>
            <span className="muted small">by apply time · bar = execution time</span>
          </div>
          <BarChart testId="mig-chart" empty="Nothing applied yet." format={formatDuration} points={chartPoints} />
        </div>
      )}

      {data && (
        <div className="split">
          <div className="card timeline-card">
            <div className="timeline-filters">
              {FILTERS.map((name) => (
                <button
                  key={name}
                  className={`chip${filter === name ? ' active' : ''}`}
                  onClick={() => setFilter(name)}
                  data-testid={`mig-filter-${name}`}
                >
                  {name}
                </button>
              ))}
              <input
                className="search-input"
                placeholder="Filter by version or name"
                value={search}
                onChange={(event) => setSearch(event.target.value)}
                data-testid="mig-search"
              />
              <span className="muted small">{entries.length.toLocaleString('en-US')} shown</span>
            </div>
            <Timeline entries={entries} selected={selected} onSelect={setSelected} />
          </div>
          <div className="card detail-card" data-testid="mig-detail">
            {selectedEntry ? (
              <MigrationDetail
                profile={profile}
                password={password}
                entry={selectedEntry}
                busy={busy}
                hasHistory={!!data.current}
                onRun={(input) => setPreview({ profileId: profile.id, password, ...input })}
                onRepair={(input) => repair.mutate(input)}
                onBaseline={(version) => setBaselining(version)}
              />
            ) : (
              <p className="muted">Select a migration to see its SQL, checksums and actions.</p>
            )}
          </div>
        </div>
      )}

      {preview && (
        <RunPreview
          profile={profile}
          input={preview}
          onClose={() => setPreview(undefined)}
          onStarted={(jobId) => {
            setPreview(undefined)
            job.follow(jobId)
          }}
        />
      )}
      {creating && (
        <TextPrompt
          title="New migration"
          label="Name (letters, digits, underscores)"
          placeholder="add_orders_table"
          onSubmit={(name) => create.mutate(name)}
          onClose={() => setCreating(false)}
        />
      )}
      {baselining && (
        <ConfirmDialog
          title="Baseline"
          message={`Record every migration up to ${baselining} as applied without running it (for a database whose schema already exists).`}
          confirmLabel="Baseline"
          onConfirm={() => baseline.mutate(baselining)}
          onClose={() => setBaselining(undefined)}
        />
      )}
    </div>
  )
}

const ROW_HEIGHT = 30

function Timeline(props: { entries: Entry[]; selected?: string; onSelect: (version: string) => void }) {
  const parentRef = useRef<HTMLDivElement>(null)
  const virtualizer = useVirtualizer({
    count: props.entries.length,
    getScrollElement: () => parentRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  })
  const maxMs = useMemo(() => Math.max(1, ...props.entries.map((entry) => entry.executionMs ?? 0)), [props.entries])
  return (
    <div className="timeline" role="grid" aria-label="Migrations" aria-rowcount={props.entries.length}>
      <div className="timeline-row timeline-head" role="row">
        <span />
        <span>Version</span>
        <span>Name</span>
        <span>State</span>
        <span>Applied at</span>
        <span className="num">Duration</span>
        <span>Applied by</span>
      </div>
      <div className="timeline-scroll" ref={parentRef} data-testid="mig-timeline">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const entry = props.entries[item.index]
            return (
              <TimelineRow
                key={entry.version}
                entry={entry}
                start={item.start}
                selected={entry.version === props.selected}
                maxMs={maxMs}
                onSelect={props.onSelect}
              />
            )
          })}
        </div>
        {props.entries.length === 0 && <div className="empty-hint">No migrations match.</div>}
      </div>
    </div>
  )
}

/** One row of the timeline; memoized so rows that stay in view are not re-rendered while scrolling. */
const TimelineRow = memo(function TimelineRow(props: {
  entry: Entry
  start: number
  selected: boolean
  maxMs: number
  onSelect: (version: string) => void
}) {
  const { entry } = props
  const appliedAt = entry.appliedAt ? formatTime(entry.appliedAt) : undefined
  return (
    <div
      role="row"
      aria-selected={props.selected}
      className={`timeline-row state-row-${entry.state}${props.selected ? ' selected' : ''}`}
      style={{ transform: `translateY(${props.start}px)`, height: ROW_HEIGHT }}
      onClick={() => props.onSelect(entry.version)}
      data-testid="mig-row"
      data-version={entry.version}
      data-state={entry.state}
    >
      <span className={`tl-dot dot-${entry.state}`} aria-hidden="true" />
      <code className="tl-version">{entry.version}</code>
      <span className="tl-name" title={entry.name}>
        {entry.name}
      </span>
      <span>
        <span className={`state-pill state-${entry.state}`}>{STATE_LABELS[entry.state] ?? entry.state}</span>
      </span>
      <span className="muted tl-time" title={appliedAt}>
        {appliedAt ? appliedAt.slice(5) : '—'}
      </span>
      <span className="num tl-duration">
        {entry.executionMs !== undefined && (
          <>
            <span className="mini-bar" style={{ width: `${Math.max(2, (28 * entry.executionMs) / props.maxMs)}px` }} />
            {formatDuration(entry.executionMs)}
          </>
        )}
      </span>
      <span className="muted tl-by" title={entry.appliedBy}>
        {entry.appliedBy ?? ''}
      </span>
    </div>
  )
})

function MigrationDetail(props: {
  profile: ProfileViewT
  password?: string
  entry: Entry
  busy: boolean
  hasHistory: boolean
  onRun: (input: Omit<RunInput, 'profileId'>) => void
  onRepair: (input: Omit<Input<'migrations.repair'>, 'profileId'>) => void
  onBaseline: (version: string) => void
}) {
  const { entry, profile } = props
  const [direction, setDirection] = useState<'up' | 'down'>('up')
  const detail = useQuery({
    queryKey: ['migrations.detail', profile.id, entry.version, entry.state],
    queryFn: () =>
      api('migrations.detail', { profileId: profile.id, password: props.password, version: entry.version }),
  })
  const d = detail.data
  const locked = props.busy || profile.readOnly
  const isApplied = entry.state === 'applied' || entry.state === 'checksum_drift'
  const sql = direction === 'up' ? d?.up : d?.down
  return (
    <div className="detail">
      <div className="detail-head">
        <div>
          <code className="detail-version">{entry.version}</code>{' '}
          <span className={`state-pill state-${entry.state}`} data-testid="detail-state">
            {STATE_LABELS[entry.state] ?? entry.state}
          </span>
          <div className="detail-name">{entry.name}</div>
        </div>
      </div>
      <div className="detail-actions">
        {(entry.state === 'pending' || entry.state === 'out_of_order') && (
          <>
            <button
              className="button button-small button-primary"
              disabled={locked}
              data-testid="detail-apply-to"
              onClick={() => props.onRun({ action: 'up', to: entry.version })}
            >
              Apply up to here
            </button>
            <button
              className="button button-small"
              disabled={locked}
              onClick={() => props.onRepair({ markApplied: entry.version })}
            >
              Mark applied
            </button>
            {!props.hasHistory && (
              <button className="button button-small" disabled={locked} onClick={() => props.onBaseline(entry.version)}>
                Baseline here
              </button>
            )}
          </>
        )}
        {isApplied && (
          <button
            className="button button-small"
            disabled={locked}
            data-testid="detail-rollback-to"
            onClick={() => props.onRun({ action: 'down', to: entry.version })}
            title="Roll back every migration newer than this one (this one stays applied)"
          >
            Roll back to here
          </button>
        )}
        {entry.state === 'checksum_drift' && (
          <button
            className="button button-small"
            disabled={locked}
            data-testid="detail-accept-checksum"
            onClick={() => props.onRepair({ checksums: true })}
          >
            Accept edited file
          </button>
        )}
        {entry.state === 'missing_file' && (
          <button
            className="button button-small"
            disabled={locked}
            onClick={() => props.onRepair({ forget: entry.version })}
          >
            Forget history row
          </button>
        )}
        {(entry.state === 'partial' || entry.state === 'partial_down') && (
          <button className="button button-small" disabled={locked} onClick={() => props.onRun({ action: 'resume' })}>
            Resume
          </button>
        )}
      </div>
      <dl className="kv kv-tight">
        <dt>Applied</dt>
        <dd>{formatTime(entry.appliedAt)}</dd>
        <dt>Duration</dt>
        <dd>{formatDuration(entry.executionMs)}</dd>
        <dt>By</dt>
        <dd>{entry.appliedBy ?? '—'}</dd>
        {entry.statements && (
          <>
            <dt>Statements</dt>
            <dd>
              {entry.statements.done} of {entry.statements.total}
            </dd>
          </>
        )}
        <dt>File</dt>
        <dd className="path small">{d?.file ?? (entry.state === 'missing_file' ? 'missing' : '…')}</dd>
      </dl>
      {d && (
        <dl className="kv kv-tight" data-testid="detail-checksums">
          <dt>Recorded</dt>
          <dd>
            <code>{d.checksum.recorded?.slice(0, 23) ?? '—'}</code>
          </dd>
          <dt>File now</dt>
          <dd>
            <code>{d.checksum.current?.slice(0, 23) ?? '—'}</code>{' '}
            {d.checksum.recorded && d.checksum.current ? (
              d.checksum.recorded === d.checksum.current ? (
                <span className="ok-text">✓ match</span>
              ) : (
                <span className="bad-text" data-testid="checksum-mismatch">
                  ✗ edited after apply
                </span>
              )
            ) : (
              <span className="muted">not applied</span>
            )}
          </dd>
        </dl>
      )}
      {(d?.error ?? entry.error) && (
        <div className="error-box" data-testid="detail-error">
          <div className="error-code">Last error</div>
          <div className="mono-wrap">{d?.error ?? entry.error}</div>
        </div>
      )}
      <div className="sql-tabs">
        <button
          className={direction === 'up' ? 'active' : ''}
          onClick={() => setDirection('up')}
          data-testid="sql-up-tab"
        >
          Up
        </button>
        <button
          className={direction === 'down' ? 'active' : ''}
          onClick={() => setDirection('down')}
          data-testid="sql-down-tab"
          disabled={!entry.hasDown}
        >
          Down{entry.hasDown ? '' : ' (none)'}
        </button>
      </div>
      {detail.error && <ErrorBox error={errorPayload(detail.error)} />}
      {sql !== undefined ? (
        <SqlView sql={sql} testId="detail-sql" />
      ) : (
        <div className="muted small">{detail.isLoading ? 'Loading…' : 'No SQL for this direction.'}</div>
      )}
    </div>
  )
}

/** The exact SQL an action will run, shown before it runs; destructive runs on production ask for the name. */
function RunPreview(props: {
  profile: ProfileViewT
  input: RunInput
  onClose: () => void
  onStarted: (jobId: string) => void
}) {
  const toasts = useToasts()
  const [typed, setTyped] = useState('')
  const sql = useQuery({
    queryKey: ['migrations.preview', props.input],
    queryFn: () => api('migrations.preview', props.input),
    gcTime: 0,
  })
  const run = useMutation({
    mutationFn: () => api('migrations.run', props.input),
    onSuccess: (ref) => props.onStarted(ref.jobId),
    onError: (error) => toasts.error(error),
  })
  const destructive = props.input.action !== 'up' && props.input.action !== 'resume'
  const production = props.profile.environment === 'production'
  const name = databaseNameOf(props.profile)
  const needsName = production && destructive
  const safety = production && destructive && props.profile.safetyBackups !== false
  const empty = sql.data && !sql.data.sql.trim()
  return (
    <Dialog
      title={`${describeAction(props.input)} — preview`}
      onClose={props.onClose}
      wide
      footer={
        <>
          {safety && <span className="muted small footer-note">A safety backup is taken first.</span>}
          <button className="button" onClick={props.onClose}>
            Cancel
          </button>
          <button
            className={`button ${destructive ? 'button-danger' : 'button-primary'}`}
            data-testid="run-confirm"
            disabled={!sql.data || !!empty || run.isPending || (needsName && typed !== name)}
            onClick={() => run.mutate()}
          >
            {describeAction(props.input)}
          </button>
        </>
      }
    >
      <p className="muted small">Dry run: the exact SQL Migr8 will send, including its own history bookkeeping.</p>
      {sql.error && <ErrorBox error={errorPayload(sql.error)} testId="preview-error" />}
      {sql.isLoading && <div className="muted">Planning…</div>}
      {empty && <div className="muted">Nothing to run.</div>}
      {sql.data && !empty && <SqlView sql={sql.data.sql} testId="preview-sql" maxHeight={380} />}
      {needsName && (
        <label className="field">
          <span>
            Production: type <code>{name}</code> to confirm
          </span>
          <input
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            data-testid="confirm-input"
            spellCheck={false}
          />
        </label>
      )}
    </Dialog>
  )
}
