import { useQuery } from '@tanstack/react-query'
import { DRIVER_LABELS } from '../../../src-shared/schemas/constants.js'
import type { AppInfoT, ProfileTestResultT, ProfileViewT } from '../../../src-shared/contract.js'
import { TABS, navigate, type Tab } from '../client/router.js'
import { MigrationsTab } from './MigrationsTab.js'
import { BackupsTab } from '../screens/BackupsTab.js'
import { SeedsTab } from '../screens/SeedsTab.js'
import { ProfileTestCard } from './ProfileTestCard.js'
import { TestResultLine } from './TestResult.js'
import { DriverTag, EnvBadge, Kbd } from './ui.js'

const TAB_LABELS: Record<Tab, string> = {
  overview: 'Overview',
  migrations: 'Migrations',
  backups: 'Backups',
  seeds: 'Seeds',
}

function target(profile: ProfileViewT): string {
  if (profile.url) return profile.url
  if (profile.driver === 'sqlite') return profile.database ?? ''
  return `${profile.user ? `${profile.user}@` : ''}${profile.host ?? 'localhost'}${profile.port ? `:${profile.port}` : ''}/${profile.database ?? ''}`
}

export function ProfilePage(props: {
  profile: ProfileViewT
  tab: Tab
  info?: AppInfoT
  testing: boolean
  onTest: () => void
  onEdit: () => void
  onDelete: () => void
}) {
  const { profile } = props
  const test = useQuery<ProfileTestResultT | null>({
    queryKey: ['test', profile.id],
    queryFn: () => null,
    staleTime: Infinity,
    enabled: false,
    initialData: null,
  })
  return (
    <main className="main" aria-label={profile.name}>
      {profile.environment === 'production' && (
        <div className="prod-banner" role="note" data-testid="prod-banner">
          PRODUCTION — changes here affect live data. Destructive actions ask you to type the database name.
        </div>
      )}
      <header className="page-header">
        <div className="title-block">
          <h1>
            {profile.name} <EnvBadge environment={profile.environment} />{' '}
            {profile.readOnly && <span className="ro-badge">read-only</span>}
          </h1>
          <div className="subtitle">
            <DriverTag driver={profile.driver} /> <code>{target(profile)}</code>
          </div>
        </div>
        <div className="header-actions">
          <button
            className="button"
            onClick={props.onTest}
            disabled={props.testing}
            data-testid="test-connection"
            title="Test connection (T)"
          >
            {props.testing ? 'Testing…' : 'Test connection'}
          </button>
          <button className="button" onClick={props.onEdit} data-testid="edit-profile" title="Edit (E)">
            Edit
          </button>
          <button
            className="button button-danger-quiet"
            onClick={props.onDelete}
            data-testid="delete-profile"
            title="Delete (Shift+Del)"
          >
            Delete
          </button>
        </div>
      </header>
      <div className="tabs" role="tablist">
        {TABS.map((tab, index) => (
          <button
            key={tab}
            role="tab"
            aria-selected={props.tab === tab}
            className={props.tab === tab ? 'active' : ''}
            onClick={() => navigate({ profileId: profile.id, tab })}
            title={`${TAB_LABELS[tab]} (${index + 1})`}
          >
            {TAB_LABELS[tab]}
          </button>
        ))}
      </div>
      <div className="tab-panel" role="tabpanel">
        {props.tab === 'overview' && <Overview profile={profile} result={test.data ?? undefined} />}
        {props.tab === 'migrations' && <MigrationsTab key={profile.id} profile={profile} info={props.info} />}
        {props.tab === 'backups' && <BackupsTab key={profile.id} profile={profile} />}
        {props.tab === 'seeds' && <SeedsTab key={profile.id} profile={profile} />}
      </div>
    </main>
  )
}

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  )
}

function Overview({ profile, result }: { profile: ProfileViewT; result?: ProfileTestResultT }) {
  const server = profile.driver !== 'sqlite'
  return (
    <div className="cards">
      <section className="card" data-testid="status-card">
        <h3>Server</h3>
        {!result && (
          <p className="muted">
            Not tested yet. Press <Kbd>T</Kbd> or “Test connection”.
          </p>
        )}
        {result?.ok && (
          <div className="stats">
            <div className="stat">
              <span className="stat-label">Status</span>
              <span className="stat-value ok">● Connected</span>
            </div>
            <div className="stat">
              <span className="stat-label">Version</span>
              <span className="stat-value" data-testid="server-version">
                {result.version}
              </span>
            </div>
            <div className="stat">
              <span className="stat-label">Latency</span>
              <span className="stat-value" data-testid="server-latency">
                {result.latencyMs} ms
              </span>
            </div>
            <div className="stat">
              <span className="stat-label">Tested</span>
              <span className="stat-value">{new Date(result.testedAt).toLocaleTimeString()}</span>
            </div>
          </div>
        )}
        {result && <ProfileTestCard profile={profile} result={result} />}
        {result && <TestResultLine result={result} />}
      </section>
      <section className="card">
        <h3>Connection</h3>
        <dl className="kv">
          <Row label="Driver">{DRIVER_LABELS[profile.driver]}</Row>
          {profile.url && <Row label="URL">{profile.url}</Row>}
          {!profile.url && server && (
            <Row label="Host">{`${profile.host ?? 'localhost'}:${profile.port ?? 'default'}`}</Row>
          )}
          {!profile.url && <Row label={server ? 'Database' : 'File'}>{profile.database}</Row>}
          {!profile.url && server && <Row label="User">{profile.user ?? '(default)'}</Row>}
          {server && <Row label="SSL">{profile.ssl.mode + (profile.ssl.ca ? ` · CA ${profile.ssl.ca}` : '')}</Row>}
          {server && profile.ssh && (
            <Row label="SSH tunnel">
              {`${profile.ssh.user ? `${profile.ssh.user}@` : ''}${profile.ssh.host}${profile.ssh.port ? `:${profile.ssh.port}` : ''}`}
              {profile.ssh.jump ? ` via ${profile.ssh.jump}` : ''}
            </Row>
          )}
          {server && (
            <Row label="Password">
              {profile.passwordMode === 'stored'
                ? profile.hasPassword
                  ? 'stored securely'
                  : 'none stored'
                : profile.passwordMode === 'ask'
                  ? 'asked every time'
                  : 'none'}
            </Row>
          )}
          <Row label="Environment">{profile.environment}</Row>
          <Row label="Group">{profile.folder ?? '—'}</Row>
        </dl>
      </section>
      <section className="card">
        <h3>Project folders</h3>
        <dl className="kv">
          <Row label="Migrations">{profile.folders.migrations ?? '—'}</Row>
          <Row label="Backups">{profile.folders.backups ?? '—'}</Row>
          <Row label="Seeds">{profile.folders.seeds ?? '—'}</Row>
        </dl>
      </section>
    </div>
  )
}
