/**
 * The Seeds screen: the seed files in load order with their tables; drop or pick a CSV/YAML file to
 * preview it; a virtualized preview grid with each column's inferred type beside the target type,
 * mapping problems and bad rows (with line numbers); delimiter/NULL options that re-run the preview
 * live; import with truncate, progress (rows, rows/s), cancel and a result summary.
 */
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query'
import { useVirtualizer } from '@tanstack/react-virtual'
import { useMemo, useRef, useState } from 'react'
import type { Output, ProfileViewT } from '../../../src-shared/contract.js'
import { api, errorPayload } from '../client/api.js'
import { useToasts } from '../app/Toasts.js'
import { formatBytes, formatCount, formatDuration } from './format.js'
import { ErrorBox, JobPanel, UndoByRestoring, useFollowedJob } from './jobs.js'
import { AskPasswordCard, useAskedPassword } from './password.js'
import './screens.css'

type Preview = Output<'seeds.preview'>
type Report = {
  name: string
  status: string
  rowsInserted: number
  rejectedCount: number
  rejected: Array<{ line: number; column: string; value: string | null; reason: string }>
  truncated: string[]
  durationMs: number
  rowsPerSecond: number
  tables: Array<{ table: string; rows: number; method: string }>
  error?: { code: string; message: string; remedy: string; line?: number }
}

const DELIMITERS: Array<[string, string]> = [
  ['', 'auto'],
  [',', ', comma'],
  [';', '; semicolon'],
  ['\t', 'tab'],
  ['|', '| pipe'],
]
const MAX_UPLOAD = 50_000_000

export function SeedsTab({ profile }: { profile: ProfileViewT }) {
  const toasts = useToasts()
  const list = useQuery({
    queryKey: ['seeds.list', profile.id],
    queryFn: () => api('seeds.list', { profileId: profile.id }),
  })
  const asked = useAskedPassword(profile)
  const password = asked.password
  const [file, setFile] = useState<{ path: string; name: string }>()
  const [delimiter, setDelimiter] = useState('')
  const [nulls, setNulls] = useState('\\N, NULL')
  const [table, setTable] = useState('')
  const [truncate, setTruncate] = useState(false)
  const [dragging, setDragging] = useState(false)
  const invalidate = useMemo(() => [['seeds.preview', profile.id]], [profile.id])
  const job = useFollowedJob(`seeds:${profile.id}`, invalidate)
  const nullValues = nulls
    .split(',')
    .map((value) => value.trim())
    .filter((value, index, all) => all.indexOf(value) === index)
  const preview = useQuery({
    queryKey: ['seeds.preview', profile.id, file?.path, delimiter, nullValues.join('\u0001'), table],
    queryFn: () =>
      api('seeds.preview', {
        profileId: profile.id,
        password,
        file: file!.path,
        delimiter: delimiter || undefined,
        nullValues,
        table: table.trim() || undefined,
        rows: 500,
      }),
    enabled: !!file && !asked.missing,
    placeholderData: keepPreviousData,
    retry: false,
  })
  const upload = useMutation({
    mutationFn: async (picked: File) => {
      if (picked.size > MAX_UPLOAD)
        throw new Error(
          `${picked.name} is ${formatBytes(picked.size)}; put files over 50 MB in the seeds folder instead.`,
        )
      // In pieces: browser mode caps a request at 1 MB (200,000 characters stay under it even when escaped).
      const text = await picked.text()
      const piece = 200_000
      let source = await api('seeds.upload', { profileId: profile.id, name: picked.name, text: text.slice(0, piece) })
      for (let at = piece; at < text.length; at += piece)
        source = await api('seeds.upload', {
          profileId: profile.id,
          name: picked.name,
          text: text.slice(at, at + piece),
          append: true,
        })
      return source
    },
    onSuccess: (source) => {
      setTable('')
      setFile({ path: source.file, name: source.name.split(/[\\/]/).pop() ?? source.name })
    },
    onError: (error) => toasts.error(error),
  })
  const runImport = useMutation({
    mutationFn: () =>
      api('seeds.run', {
        profileId: profile.id,
        password,
        files: [file!.path],
        truncate,
        delimiter: delimiter || undefined,
        nullValues,
      }),
    onSuccess: (ref) => job.follow(ref.jobId),
    onError: (error) => toasts.error(error),
  })
  const runAll = useMutation({
    mutationFn: () => api('seeds.run', { profileId: profile.id, password, truncate }),
    onSuccess: (ref) => job.follow(ref.jobId),
    onError: (error) => toasts.error(error),
  })
  const result =
    job.job?.state === 'done' ? (job.job.result as { reports: Report[]; safetyBackupId?: string }) : undefined
  const failedReports = job.job?.state === 'failed' ? undefined : result?.reports.filter((r) => r.status === 'failed')

  if (asked.missing) return <AskPasswordCard profile={profile} onSubmit={(value) => asked.set(value)} />
  return (
    <div className="screen seeds-screen" data-testid="seeds-screen">
      <div className="seeds-layout">
        <div className="card seeds-list">
          <div className="card-title-row">
            <h3>Seed files</h3>
            <button
              className="button button-small"
              data-testid="seed-run-all"
              disabled={!list.data?.seeds.length || job.running || profile.readOnly}
              onClick={() => runAll.mutate()}
            >
              Run all
            </button>
          </div>
          {list.error && <ErrorBox error={errorPayload(list.error)} />}
          {list.data && !profile.folders.seeds && <p className="muted small">No seeds folder set for this profile.</p>}
          <ol className="seed-files" data-testid="seed-files">
            {list.data?.seeds.map((seed, index) => (
              <li
                key={seed.file}
                className={file?.path === seed.file ? 'selected' : ''}
                onClick={() => {
                  setTable('')
                  setFile({ path: seed.file, name: seed.name })
                }}
                data-testid="seed-file"
              >
                <span className="seed-name">
                  <span className="seed-index">{index + 1}.</span>
                  {seed.name}
                </span>
                <span className="muted small">
                  → <code>{seed.table}</code> · {seed.format} · {formatBytes(seed.bytes)}
                </span>
              </li>
            ))}
          </ol>
          <label
            className={`dropzone${dragging ? ' dragging' : ''}`}
            onDragOver={(event) => {
              event.preventDefault()
              setDragging(true)
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={(event) => {
              event.preventDefault()
              setDragging(false)
              const dropped = event.dataTransfer.files[0]
              if (dropped) upload.mutate(dropped)
            }}
            data-testid="seed-dropzone"
          >
            <input
              type="file"
              accept=".csv,.tsv,.yaml,.yml"
              data-testid="seed-pick"
              onChange={(event) => {
                const picked = event.target.files?.[0]
                if (picked) upload.mutate(picked)
                event.target.value = ''
              }}
            />
            <strong>{upload.isPending ? 'Reading…' : 'Drop a CSV or YAML file'}</strong>
            <span className="muted small">or click to pick one; it is previewed before anything is written</span>
          </label>
        </div>

        <div className="card seed-preview-card">
          {!file && <p className="muted">Select a seed file or drop one to preview it.</p>}
          {file && (
            <>
              <div className="preview-options">
                <strong className="preview-title" data-testid="preview-file">
                  {file.name}
                </strong>
                <label>
                  Delimiter
                  <select value={delimiter} onChange={(e) => setDelimiter(e.target.value)} data-testid="opt-delimiter">
                    {DELIMITERS.map(([value, label]) => (
                      <option key={label} value={value}>
                        {label}
                      </option>
                    ))}
                  </select>
                </label>
                <label>
                  NULL markers
                  <input value={nulls} onChange={(e) => setNulls(e.target.value)} data-testid="opt-nulls" />
                </label>
                <label>
                  Table
                  <input
                    value={table}
                    placeholder={preview.data?.table ?? ''}
                    onChange={(e) => setTable(e.target.value)}
                    data-testid="opt-table"
                  />
                </label>
                <label title="Migr8 reads the first CSV row as the header (the engine has no header-less mode yet)">
                  <input type="checkbox" checked disabled /> Header row
                </label>
                {preview.isFetching && <span className="spinner" aria-hidden="true" />}
              </div>
              {preview.error && <ErrorBox error={errorPayload(preview.error)} testId="preview-error" />}
              {preview.data && <PreviewBody preview={preview.data} />}
              <div className="import-bar">
                <label className="checkbox-line">
                  <input
                    type="checkbox"
                    checked={truncate}
                    onChange={(e) => setTruncate(e.target.checked)}
                    data-testid="opt-truncate"
                  />{' '}
                  Empty the table first (truncate)
                  {truncate && profile.environment === 'production' && profile.safetyBackups !== false && (
                    <span className="muted small"> — a safety backup is taken first</span>
                  )}
                </label>
                <span className="spacer" />
                <button
                  className="button button-primary"
                  data-testid="seed-import"
                  disabled={!preview.data || job.running || profile.readOnly}
                  onClick={() => runImport.mutate()}
                >
                  Import {preview.data ? `into ${preview.data.table}` : ''}
                </button>
              </div>
            </>
          )}
        </div>
      </div>
      {(job.job || job.running) && (
        <JobPanel job={job.job} pendingTitle="Starting…" testId="seed-job">
          {result && (
            <div className="seed-result" data-testid="seed-result">
              {result.reports.map((report) => (
                <div key={report.name} className={`seed-report seed-${report.status}`}>
                  <strong>{report.name.split(/[\\/]/).pop()}</strong>{' '}
                  <span className={`state-pill state-${report.status === 'loaded' ? 'applied' : 'partial'}`}>
                    {report.status}
                  </span>{' '}
                  <span data-testid="seed-rows">{formatCount(report.rowsInserted)} rows</span> ·{' '}
                  {formatDuration(report.durationMs)} · {formatCount(Math.round(report.rowsPerSecond))} rows/s
                  {report.tables.map((t) => (
                    <span key={t.table} className="muted small">
                      {' '}
                      · {t.table} via {t.method}
                    </span>
                  ))}
                  {report.truncated.length > 0 && (
                    <span className="muted small"> · truncated {report.truncated.join(', ')}</span>
                  )}
                  {report.error && (
                    <div className="small log-error" data-testid="seed-report-error">
                      {report.error.message}
                      {report.error.line ? ` (line ${report.error.line})` : ''}
                    </div>
                  )}
                  {report.rejected.slice(0, 5).map((bad) => (
                    <div key={`${bad.line}-${bad.column}`} className="small log-error">
                      line {bad.line}, {bad.column}: {bad.reason}
                    </div>
                  ))}
                </div>
              ))}
              {failedReports && failedReports.length > 0 && (
                <div className="small muted">Nothing of a failed file was written.</div>
              )}
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
    </div>
  )
}

const ROW = 26
const COL = 150

function PreviewBody({ preview }: { preview: Preview }) {
  const badLines = useMemo(() => new Set(preview.badRows.map((bad) => bad.line)), [preview.badRows])
  const badCells = useMemo(() => new Set(preview.badRows.map((bad) => `${bad.line}:${bad.column}`)), [preview.badRows])
  const parentRef = useRef<HTMLDivElement>(null)
  const virtualizer = useVirtualizer({
    count: preview.rows.length,
    getScrollElement: () => parentRef.current,
    estimateSize: () => ROW,
    overscan: 10,
  })
  const width = 64 + preview.columns.length * COL
  return (
    <div className="preview-body">
      <div className="summary-strip small">
        <span>
          Table <strong data-testid="preview-table">{preview.table}</strong>
        </span>
        <span>
          Rows{' '}
          <strong>
            {preview.exactRowCount ? '' : '≈ '}
            {formatCount(preview.estimatedRows)}
          </strong>
        </span>
        <span>
          Size <strong>{formatBytes(preview.bytes)}</strong>
        </span>
        {preview.delimiter !== undefined && (
          <span>
            Delimiter{' '}
            <code data-testid="preview-delimiter">{preview.delimiter === '\t' ? 'tab' : preview.delimiter}</code>
          </span>
        )}
        <span className="muted">preview in {preview.previewMs} ms</span>
        {preview.unfilledColumns.length > 0 && (
          <span className="muted">defaults: {preview.unfilledColumns.join(', ')}</span>
        )}
      </div>
      {preview.problems.length > 0 && (
        <ul className="mapping-problems" data-testid="mapping-problems">
          {preview.problems.map((problem, index) => (
            <li key={index} data-kind={problem.kind}>
              ⚠ {problem.message}
            </li>
          ))}
        </ul>
      )}
      <div className="grid" data-testid="preview-grid">
        <div className="grid-scroll" ref={parentRef}>
          <div className="grid-head" style={{ width }}>
            <div className="grid-cell grid-ln">line</div>
            {preview.columns.map((column) => (
              <div
                key={column.name}
                className={`grid-cell grid-colhead${column.problems.length ? ' has-problem' : ''}`}
                title={column.problems.join('\n')}
                data-testid="preview-column"
                data-problem={column.problems.length > 0}
              >
                <div className="col-name">{column.name}</div>
                <div className="col-types small">
                  <span className="type-inferred">{column.inferredType}</span>
                  <span className="muted"> → </span>
                  <span className={column.target ? 'type-target' : 'bad-text'} title={column.target?.type}>
                    {column.target ? column.target.type : 'no column'}
                  </span>
                </div>
              </div>
            ))}
          </div>
          <div style={{ height: virtualizer.getTotalSize(), width, position: 'relative' }}>
            {virtualizer.getVirtualItems().map((item) => {
              const row = preview.rows[item.index]
              const line = preview.lines[item.index]
              return (
                <div
                  key={item.index}
                  className={`grid-row${badLines.has(line) ? ' bad' : ''}`}
                  style={{ transform: `translateY(${item.start}px)`, height: ROW, width }}
                  data-testid="preview-row"
                >
                  <div className="grid-cell grid-ln">{line}</div>
                  {preview.columns.map((column, index) => {
                    const value = row[index]
                    return (
                      <div
                        key={column.name}
                        className={`grid-cell${badCells.has(`${line}:${column.name}`) ? ' bad-cell' : ''}${value === null ? ' null' : ''}`}
                      >
                        {value === null || value === undefined
                          ? 'NULL'
                          : typeof value === 'object'
                            ? JSON.stringify(value)
                            : String(value)}
                      </div>
                    )
                  })}
                </div>
              )
            })}
          </div>
        </div>
      </div>
      {preview.badRows.length > 0 && (
        <div className="bad-rows" data-testid="bad-rows">
          <strong>{preview.badRows.length} bad value(s) in the preview</strong>
          {preview.badRows.slice(0, 50).map((bad, index) => (
            <div key={index} className="small" data-testid="bad-row" data-line={bad.line}>
              <span className="bad-text">line {bad.line}</span> · <code>{bad.column}</code> ={' '}
              <code>{bad.value === null ? 'NULL' : JSON.stringify(bad.value)}</code> — {bad.reason}
            </div>
          ))}
        </div>
      )}
    </div>
  )
}
