import { useQuery } from '@tanstack/react-query'
import type { AppInfoT, ProfileViewT } from '../../../src-shared/contract.js'
import { api, errorPayload } from '../client/api.js'
import { CliCommands } from './CliCommands.js'

const STATE_LABELS: Record<string, string> = {
  applied: 'applied',
  pending: 'pending',
  partial: 'stopped (partial)',
  partial_down: 'stopped (partial down)',
  missing_file: 'file missing',
  checksum_drift: 'edited after apply',
  out_of_order: 'out of order',
}

/** Read-only status of the profile's migrations; applying them comes with the Migrations screen. */
export function MigrationsTab({ profile, info }: { profile: ProfileViewT; info?: AppInfoT }) {
  const canLoad = !!profile.folders.migrations && profile.passwordMode !== 'ask'
  const status = useQuery({
    queryKey: ['migrations.status', profile.id],
    queryFn: () => api('migrations.status', { profileId: profile.id }),
    enabled: canLoad,
  })
  const error = status.error ? errorPayload(status.error) : undefined
  return (
    <div className="stack">
      <section className="card" data-testid="migrations-status">
        <div className="card-title-row">
          <h3>Migration status</h3>
          {canLoad && (
            <button className="button button-small" onClick={() => void status.refetch()} disabled={status.isFetching}>
              {status.isFetching ? 'Loading…' : 'Refresh'}
            </button>
          )}
        </div>
        {!profile.folders.migrations && (
          <p className="muted">This profile has no migrations folder. Edit it to set one.</p>
        )}
        {profile.folders.migrations && profile.passwordMode === 'ask' && (
          <p className="muted">This profile asks for its password each time; use the command line meanwhile.</p>
        )}
        {error && (
          <div className="error-box" data-code={error.code}>
            <div className="error-code">{error.code}</div>
            <div>{error.message}</div>
            <div className="remedy">
              <span className="label">Remedy</span> {error.remedy}
            </div>
          </div>
        )}
        {status.data && (
          <>
            <div className="summary-line">
              <span>
                Current <strong>{status.data.current ?? 'none'}</strong>
              </span>
              <span>
                Pending <strong>{status.data.pending}</strong>
              </span>
              <span>
                Total <strong>{status.data.entries.length}</strong>
              </span>
              {status.data.lock && <span className="log-warn">Locked by {status.data.lock.owner}</span>}
              <code className="muted">{status.data.dir}</code>
            </div>
            {status.data.problems.map((problem) => (
              <div key={problem} className="small log-error">
                {problem}
              </div>
            ))}
            <table className="table grid-table">
              <thead>
                <tr>
                  <th>Version</th>
                  <th>Name</th>
                  <th>State</th>
                  <th>Applied</th>
                  <th className="num">Time</th>
                  <th>Down</th>
                </tr>
              </thead>
              <tbody>
                {status.data.entries.map((entry) => (
                  <tr key={entry.version}>
                    <td>
                      <code>{entry.version}</code>
                    </td>
                    <td>{entry.name}</td>
                    <td>
                      <span className={`state-pill state-${entry.state}`}>
                        {STATE_LABELS[entry.state] ?? entry.state}
                      </span>
                    </td>
                    <td className="muted">{entry.appliedAt ? new Date(entry.appliedAt).toLocaleString() : '—'}</td>
                    <td className="num muted">{entry.executionMs !== undefined ? `${entry.executionMs} ms` : ''}</td>
                    <td className="muted">{entry.hasDown ? 'yes' : '—'}</td>
                  </tr>
                ))}
                {status.data.entries.length === 0 && (
                  <tr>
                    <td colSpan={6} className="muted">
                      No migration files in this folder.
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          </>
        )}
      </section>
      <CliCommands area="migrations" info={info} />
    </div>
  )
}
