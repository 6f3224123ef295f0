/**
 * "Adopt" on the Migrations screen: when the profile's database carries another tool's history
 * (golang-migrate, goose, dbmate, Flyway, node-pg-migrate), a banner offers to take it over; the
 * preview lists what the tool recorded joined with today's files (stopped runs, files without a row,
 * rows without a file, warnings) before the import runs as a job. The other tool's table is never written.
 */
import { useMutation, useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import type { Output, ProfileViewT } from '../../../src-shared/contract.js'
import { api, errorPayload } from '../client/api.js'
import { formatTime } from '../screens/format.js'
import { ErrorBox } from '../screens/jobs.js'
import { useToasts } from './Toasts.js'
import { Dialog } from './ui.js'

type Detection = Output<'adopt.detect'>[number]
type Plan = Output<'adopt.plan'>

const ENTRY_LABELS: Record<Plan['entries'][number]['state'], string> = {
  applied: 'applied',
  stopped: 'STOPPED',
  pending: 'pending',
  missing_file: 'applied, no file',
}
/** The timeline's pill colours for what each entry becomes in Migr8. */
const ENTRY_PILLS: Record<Plan['entries'][number]['state'], string> = {
  applied: 'applied',
  stopped: 'partial',
  pending: 'pending',
  missing_file: 'missing_file',
}
const ACTION_LABELS: Record<Plan['entries'][number]['action'], string> = {
  import: 'import',
  keep_existing: 'already in Migr8',
  none: '—',
}

/** The banner (no Migr8 history yet) or a small button (history already there), and the preview dialog. */
export function AdoptBanner(props: {
  profile: ProfileViewT
  password?: string
  /** Whether Migr8's own history has rows (adopting then imports only what it lacks). */
  hasHistory: boolean
  busy: boolean
  onStarted: (jobId: string) => void
}) {
  const { profile, password } = props
  const [previewing, setPreviewing] = useState<Detection>()
  const detect = useQuery({
    queryKey: ['adopt.detect', profile.id],
    queryFn: () => api('adopt.detect', { profileId: profile.id, password }),
    // Detection is an extra: a failure here must not distract from the screen's own error.
    retry: false,
  })
  const detections = detect.data ?? []
  if (detections.length === 0) return null
  return (
    <>
      {props.hasHistory ? (
        <div className="adopt-line muted small" data-testid="adopt-line">
          {detections.map((detection) => (
            <button
              key={detection.tool}
              className="button button-small"
              data-testid="adopt-open"
              disabled={props.busy}
              onClick={() => setPreviewing(detection)}
              title={`${detection.tool} history in ${detection.table}: ${detection.summary}`}
            >
              Adopt from {detection.tool}…
            </button>
          ))}
        </div>
      ) : (
        detections.map((detection) => (
          <div key={detection.tool} className="adopt-banner" role="status" data-testid="adopt-banner">
            <span>
              This database was migrated by <strong>{detection.tool}</strong> ({detection.rows}{' '}
              {detection.rows === 1 ? 'row' : 'rows'} in <code>{detection.table}</code>: {detection.summary}). Adopting
              imports its history into Migr8&apos;s and leaves its table untouched.
            </span>
            <button
              className="button button-small button-primary"
              data-testid="adopt-open"
              disabled={props.busy}
              onClick={() => setPreviewing(detection)}
            >
              Preview adoption
            </button>
          </div>
        ))
      )}
      {previewing && (
        <AdoptPreview
          profile={profile}
          password={password}
          detection={previewing}
          force={props.hasHistory}
          onClose={() => setPreviewing(undefined)}
          onStarted={(jobId) => {
            setPreviewing(undefined)
            props.onStarted(jobId)
          }}
        />
      )}
    </>
  )
}

function AdoptPreview(props: {
  profile: ProfileViewT
  password?: string
  detection: Detection
  force: boolean
  onClose: () => void
  onStarted: (jobId: string) => void
}) {
  const toasts = useToasts()
  const { profile, detection, force } = props
  const input = { profileId: profile.id, password: props.password, from: detection.tool, force }
  const plan = useQuery({
    queryKey: ['adopt.plan', profile.id, detection.tool, force],
    queryFn: () => api('adopt.plan', input),
    gcTime: 0,
  })
  const run = useMutation({
    mutationFn: () => api('adopt.run', input),
    onSuccess: (ref) => props.onStarted(ref.jobId),
    onError: (error) => toasts.error(error),
  })
  const p = plan.data
  return (
    <Dialog
      title={`Adopt ${detection.tool} history — preview`}
      onClose={props.onClose}
      wide
      footer={
        <>
          {p && (
            <span className="muted small footer-note">
              {p.toImport} row(s) to import; {p.table} is left untouched.
            </span>
          )}
          <button className="button" onClick={props.onClose}>
            Cancel
          </button>
          <button
            className="button button-primary"
            data-testid="adopt-confirm"
            disabled={!p || p.toImport === 0 || run.isPending || profile.readOnly}
            title={profile.readOnly ? 'This profile is read-only.' : undefined}
            onClick={() => run.mutate()}
          >
            Adopt
          </button>
        </>
      }
    >
      {plan.error && <ErrorBox error={errorPayload(plan.error)} testId="adopt-error" />}
      {plan.isLoading && <div className="muted">Reading {detection.table}…</div>}
      {p && <PlanView plan={p} />}
    </Dialog>
  )
}

function PlanView({ plan }: { plan: Plan }) {
  return (
    <div className="adopt-plan" data-testid="adopt-plan">
      <p className="muted small">
        Found {plan.from} history in <code>{plan.table}</code>; migrations folder <code>{plan.dir}</code>. Nothing is
        written until you adopt.
      </p>
      <div className="summary-strip" data-testid="adopt-summary">
        <span>
          Applied <strong>{plan.applied.length}</strong>
        </span>
        <span>
          Stopped <strong>{plan.stopped.length}</strong>
        </span>
        <span>
          Files without a row <strong>{plan.filesWithoutRow.length}</strong>
        </span>
        <span>
          Rows without a file <strong>{plan.rowsWithoutFile.length}</strong>
        </span>
        <span>
          To import <strong data-testid="adopt-to-import">{plan.toImport}</strong>
        </span>
        {plan.existingMigr8Rows > 0 && (
          <span>
            Already in Migr8 <strong>{plan.existingMigr8Rows}</strong>
          </span>
        )}
      </div>
      {plan.entries.length === 0 ? (
        <p className="muted">No migrations recorded and no files.</p>
      ) : (
        <div className="adopt-table-wrap">
          <table className="table grid-table adopt-table" data-testid="adopt-entries">
            <thead>
              <tr>
                <th>Version</th>
                <th>Name</th>
                <th>State</th>
                <th>Applied at</th>
                <th>Action</th>
                <th>Note</th>
              </tr>
            </thead>
            <tbody>
              {plan.entries.map((entry) => (
                <tr
                  key={entry.version}
                  data-testid="adopt-entry"
                  data-version={entry.version}
                  data-state={entry.state}
                  className={entry.state === 'stopped' || entry.state === 'missing_file' ? 'adopt-attention' : ''}
                >
                  <td>
                    <code>{entry.version}</code>
                  </td>
                  <td>{entry.name}</td>
                  <td>
                    <span className={`state-pill state-${ENTRY_PILLS[entry.state]}`}>
                      {ENTRY_LABELS[entry.state]}
                      {entry.outOfOrder ? ' (out of order)' : ''}
                    </span>
                  </td>
                  <td className="muted">{entry.appliedAt ? formatTime(entry.appliedAt) : '—'}</td>
                  <td>{ACTION_LABELS[entry.action]}</td>
                  <td className="muted small adopt-note">{entry.note ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {plan.stopped.map((stopped) => (
        <div key={stopped.version} className="problem-line" data-testid="adopt-stopped">
          ⚠ Stopped: {stopped.version} {stopped.name} ({stopped.reason}) becomes a failed (partial) Migr8 migration:
          afterwards Resume runs it again from its first statement, or Mark applied if it was finished by hand.
        </div>
      ))}
      {plan.rowsWithoutFile.map((row) => (
        <div key={row.version} className="problem-line" data-testid="adopt-no-file">
          ⚠ No file: {row.version} {row.name} is imported as applied but cannot be rolled back by Migr8.
        </div>
      ))}
      {plan.filesWithoutRow.length > 0 && (
        <div className="muted small" data-testid="adopt-pending-files">
          Files {plan.from} never applied (pending for Migr8):{' '}
          {plan.filesWithoutRow.map((file) => `${file.version} ${file.name}`).join(', ')}
        </div>
      )}
      {plan.warnings.map((warning) => (
        <div key={warning} className="problem-line" data-testid="adopt-warning">
          ⚠ {warning}
        </div>
      ))}
    </div>
  )
}
