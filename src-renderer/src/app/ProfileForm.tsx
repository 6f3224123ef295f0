import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import {
  DEFAULT_PORTS,
  DRIVER_LABELS,
  DRIVERS,
  ENVIRONMENTS,
  SSL_MODES,
} from '../../../src-shared/schemas/constants.js'
import type {
  AppInfoT,
  Driver,
  Environment,
  ProfileInputT,
  ProfileTestResultT,
  ProfileViewT,
} from '../../../src-shared/contract.js'
import { api } from '../client/api.js'
import { SshFields, sshDraftFrom, sshInput, type SshDraft } from './SshFields.js'
import { TestDetail, TestResultLine } from './TestResult.js'
import { useToasts } from './Toasts.js'
import { Dialog } from './ui.js'
import { TextField } from './TextField.js'

type PasswordMode = 'stored' | 'ask' | 'none'

interface Draft {
  name: string
  driver: Driver
  useUrl: boolean
  url: string
  host: string
  port: string
  database: string
  user: string
  password: string
  passwordMode: PasswordMode
  clearPassword: boolean
  sslMode: (typeof SSL_MODES)[number]
  sslCa: string
  sslCert: string
  sslKey: string
  ssh: SshDraft
  folder: string
  environment: Environment
  migrations: string
  backups: string
  seeds: string
  readOnly: boolean
}

function draftFrom(profile: ProfileViewT | undefined, secretsAvailable: boolean): Draft {
  return {
    name: profile?.name ?? '',
    driver: profile?.driver ?? 'postgres',
    useUrl: !!profile?.url,
    url: profile?.url ?? '',
    host: profile?.host ?? (profile ? '' : '127.0.0.1'),
    port: profile?.port ? String(profile.port) : '',
    database: profile?.database ?? '',
    user: profile?.user ?? '',
    password: '',
    passwordMode: profile?.passwordMode ?? (secretsAvailable ? 'stored' : 'ask'),
    clearPassword: false,
    sslMode: profile?.ssl.mode ?? 'prefer',
    sslCa: profile?.ssl.ca ?? '',
    sslCert: profile?.ssl.cert ?? '',
    sslKey: profile?.ssl.key ?? '',
    ssh: sshDraftFrom(profile),
    folder: profile?.folder ?? '',
    environment: profile?.environment ?? 'development',
    migrations: profile?.folders.migrations ?? '',
    backups: profile?.folders.backups ?? '',
    seeds: profile?.folders.seeds ?? '',
    readOnly: profile?.readOnly ?? false,
  }
}

function toInput(draft: Draft, id: string | undefined): ProfileInputT {
  const server = draft.driver !== 'sqlite'
  const viaUrl = server && draft.useUrl
  return {
    id,
    name: draft.name,
    driver: draft.driver,
    url: viaUrl ? draft.url : undefined,
    host: server && !viaUrl ? draft.host || undefined : undefined,
    port: server && !viaUrl && draft.port ? Number(draft.port) : undefined,
    database: viaUrl ? undefined : draft.database || undefined,
    user: server && !viaUrl ? draft.user || undefined : undefined,
    password: server && draft.passwordMode !== 'none' && draft.password ? draft.password : undefined,
    clearPassword: draft.clearPassword || undefined,
    passwordMode: server ? draft.passwordMode : 'none',
    ssl: {
      mode: server ? draft.sslMode : 'disable',
      ca: server && draft.sslCa ? draft.sslCa : undefined,
      cert: server && draft.sslCert ? draft.sslCert : undefined,
      key: server && draft.sslKey ? draft.sslKey : undefined,
    },
    ...(server ? sshInput(draft.ssh) : {}),
    folder: draft.folder || undefined,
    environment: draft.environment,
    folders: {
      migrations: draft.migrations || undefined,
      backups: draft.backups || undefined,
      seeds: draft.seeds || undefined,
    },
    readOnly: draft.readOnly,
  }
}

export function ProfileForm(props: {
  profile?: ProfileViewT
  info?: AppInfoT
  folders: string[]
  onClose: () => void
  onSaved: (profile: ProfileViewT) => void
}) {
  const secretsAvailable = props.info?.secrets.available ?? false
  const [draft, setDraft] = useState<Draft>(() => draftFrom(props.profile, secretsAvailable))
  const [testResult, setTestResult] = useState<ProfileTestResultT>()
  const toasts = useToasts()
  const queryClient = useQueryClient()
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((current) => ({ ...current, [key]: value }))
  const server = draft.driver !== 'sqlite'

  const save = useMutation({
    mutationFn: () => api('profiles.save', toInput(draft, props.profile?.id)),
    onSuccess: (saved) => {
      // Secrets leave the DOM once saved: the form shows "stored" badges from now on.
      setDraft((current) => ({
        ...current,
        password: '',
        ssh: { ...current.ssh, password: '', passphrase: '', clearSecrets: false },
      }))
      // Put the saved profile in the cache at once so the page can select it before the refetch.
      queryClient.setQueryData<ProfileViewT[]>(['profiles.list'], (list = []) =>
        list.some((p) => p.id === saved.id) ? list.map((p) => (p.id === saved.id ? saved : p)) : [...list, saved],
      )
      void queryClient.invalidateQueries({ queryKey: ['profiles.list'] })
      toasts.success(props.profile ? 'Profile saved' : 'Profile created', saved.name)
      props.onSaved(saved)
    },
    onError: (error) => toasts.error(error),
  })
  const test = useMutation({
    mutationFn: (acceptHostKeys?: string[]) =>
      api('profiles.test', { draft: toInput(draft, props.profile?.id), acceptHostKeys }),
    onSuccess: setTestResult,
    onError: (error) => toasts.error(error),
  })

  const submit = (event: FormEvent) => {
    event.preventDefault()
    save.mutate()
  }

  return (
    <Dialog
      title={props.profile ? `Edit ${props.profile.name}` : 'New connection profile'}
      onClose={props.onClose}
      wide
      footer={
        <>
          <div className="footer-left">{testResult && <TestResultLine result={testResult} />}</div>
          <button
            type="button"
            className="button"
            onClick={() => test.mutate(undefined)}
            disabled={test.isPending}
            data-testid="form-test"
          >
            {test.isPending ? 'Testing…' : 'Test connection'}
          </button>
          <button type="button" className="button" onClick={props.onClose}>
            Cancel
          </button>
          <button
            type="submit"
            form="profile-form"
            className="button button-primary"
            disabled={save.isPending}
            data-testid="form-save"
          >
            {save.isPending ? 'Saving…' : 'Save'}
          </button>
        </>
      }
    >
      {testResult && (
        <div
          className="form-result"
          ref={(node) => node?.scrollIntoView({ block: 'nearest' })}
          data-testid="form-test-detail"
        >
          <TestDetail
            result={testResult}
            onTrust={(fingerprint) => test.mutate([fingerprint])}
            trusting={test.isPending}
          />
        </div>
      )}
      <form id="profile-form" className="form-grid" onSubmit={submit} autoComplete="off">
        <TextField
          label="Name"
          className="span-2"
          name="name"
          value={draft.name}
          onChange={(value) => set('name', value)}
          required
          maxLength={120}
          autoFocus
          placeholder="e.g. Orders (staging)"
        />
        <div className="field span-2">
          <span>Driver</span>
          <div className="segmented" role="radiogroup" aria-label="Driver">
            {DRIVERS.map((driver) => (
              <button
                type="button"
                key={driver}
                role="radio"
                aria-checked={draft.driver === driver}
                className={draft.driver === driver ? 'active' : ''}
                onClick={() => set('driver', driver)}
              >
                {DRIVER_LABELS[driver]}
              </button>
            ))}
          </div>
        </div>

        {server && (
          <div className="field span-2">
            <span>Connect with</span>
            <div className="segmented" role="radiogroup" aria-label="Connect with">
              <button
                type="button"
                role="radio"
                aria-checked={!draft.useUrl}
                className={!draft.useUrl ? 'active' : ''}
                onClick={() => set('useUrl', false)}
              >
                Host and port
              </button>
              <button
                type="button"
                role="radio"
                aria-checked={draft.useUrl}
                className={draft.useUrl ? 'active' : ''}
                onClick={() => set('useUrl', true)}
              >
                URL
              </button>
            </div>
          </div>
        )}

        {server && draft.useUrl && (
          <label className="field span-2">
            <span>URL</span>
            <input
              name="url"
              value={draft.url}
              onChange={(e) => set('url', e.target.value)}
              placeholder={`${draft.driver}://user@host:${DEFAULT_PORTS[draft.driver]}/database`}
              spellCheck={false}
            />
            <small>A password in the URL is moved to the secret store and removed from the URL.</small>
          </label>
        )}

        {server && !draft.useUrl && (
          <>
            <TextField
              label="Host"
              name="host"
              value={draft.host}
              onChange={(value) => set('host', value)}
              placeholder="localhost"
              spellCheck={false}
            />
            <TextField
              label="Port"
              name="port"
              value={draft.port}
              onChange={(value) => set('port', value.replace(/\D/g, ''))}
              placeholder={String(DEFAULT_PORTS[draft.driver])}
              inputMode="numeric"
            />
            <TextField
              label="Database"
              name="database"
              value={draft.database}
              onChange={(value) => set('database', value)}
              spellCheck={false}
            />
            <TextField
              label="User"
              name="user"
              value={draft.user}
              onChange={(value) => set('user', value)}
              placeholder={draft.driver === 'postgres' ? 'postgres' : 'root'}
              spellCheck={false}
            />
          </>
        )}

        {!server && (
          <TextField
            label="Database file"
            className="span-2"
            name="database"
            value={draft.database}
            onChange={(value) => set('database', value)}
            placeholder="/path/to/app.sqlite (created if missing)"
            spellCheck={false}
          />
        )}

        {server && (
          <>
            <label className="field">
              <span>Password storage</span>
              <select
                name="passwordMode"
                value={draft.passwordMode}
                onChange={(e) => set('passwordMode', e.target.value as PasswordMode)}
              >
                <option value="stored" disabled={!secretsAvailable}>
                  Store securely{secretsAvailable ? '' : ' (unavailable)'}
                </option>
                <option value="ask">Ask every time</option>
                <option value="none">No password</option>
              </select>
              {!secretsAvailable && <small>{props.info?.secrets.description}</small>}
            </label>
            <label className="field">
              <span>
                {props.profile?.hasPassword
                  ? 'New password (leave empty to keep)'
                  : draft.passwordMode === 'ask'
                    ? 'Password (for testing only, not saved)'
                    : 'Password'}
              </span>
              <input
                name="password"
                type="password"
                value={draft.password}
                onChange={(e) => set('password', e.target.value)}
                autoComplete="new-password"
                disabled={draft.passwordMode === 'none'}
                placeholder={props.profile?.hasPassword ? '•••••••• stored' : ''}
              />
              {props.profile?.hasPassword && (
                <label className="check">
                  <input
                    type="checkbox"
                    checked={draft.clearPassword}
                    onChange={(e) => set('clearPassword', e.target.checked)}
                  />{' '}
                  Forget the stored password
                </label>
              )}
            </label>
            <label className="field">
              <span>SSL mode</span>
              <select
                name="sslMode"
                value={draft.sslMode}
                onChange={(e) => set('sslMode', e.target.value as Draft['sslMode'])}
              >
                {SSL_MODES.map((mode) => (
                  <option key={mode} value={mode}>
                    {mode}
                  </option>
                ))}
              </select>
            </label>
            <TextField
              label="CA file"
              name="sslCa"
              value={draft.sslCa}
              onChange={(value) => set('sslCa', value)}
              placeholder="/path/to/ca.pem (verify-ca, verify-full)"
              spellCheck={false}
            />
            <TextField
              label="Client certificate"
              name="sslCert"
              value={draft.sslCert}
              onChange={(value) => set('sslCert', value)}
              placeholder="/path/to/client.crt (optional)"
              spellCheck={false}
            />
            <TextField
              label="Client key"
              name="sslKey"
              value={draft.sslKey}
              onChange={(value) => set('sslKey', value)}
              placeholder="/path/to/client.key (optional)"
              spellCheck={false}
            />
            <SshFields
              ssh={draft.ssh}
              profile={props.profile}
              asking={draft.passwordMode === 'ask'}
              onChange={(ssh) => set('ssh', ssh)}
            />
          </>
        )}

        <div className="field span-2">
          <span>Environment</span>
          <div className="segmented" role="radiogroup" aria-label="Environment">
            {ENVIRONMENTS.map((environment) => (
              <button
                type="button"
                key={environment}
                role="radio"
                aria-checked={draft.environment === environment}
                className={`env-option env-${environment}${draft.environment === environment ? ' active' : ''}`}
                onClick={() => set('environment', environment)}
              >
                <span className={`env-dot env-dot-${environment}`} /> {environment}
              </button>
            ))}
          </div>
        </div>
        <label className="field">
          <span>Group / folder</span>
          <input
            name="folder"
            value={draft.folder}
            onChange={(e) => set('folder', e.target.value)}
            list="profile-folders"
            placeholder="e.g. Billing"
          />
          <datalist id="profile-folders">
            {props.folders.map((folder) => (
              <option key={folder} value={folder} />
            ))}
          </datalist>
        </label>
        <label className="field check-field">
          <span>Safety</span>
          <label className="check">
            <input
              type="checkbox"
              name="readOnly"
              checked={draft.readOnly}
              onChange={(e) => set('readOnly', e.target.checked)}
            />{' '}
            Read-only (no migrations, restores or seeds)
          </label>
        </label>

        <fieldset className="span-2 fieldset">
          <legend>Project folders</legend>
          <div className="form-grid three">
            <TextField
              label="Migrations"
              name="migrations"
              value={draft.migrations}
              onChange={(value) => set('migrations', value)}
              placeholder="./migrations"
              spellCheck={false}
            />
            <TextField
              label="Backups"
              name="backups"
              value={draft.backups}
              onChange={(value) => set('backups', value)}
              placeholder="./backups"
              spellCheck={false}
            />
            <TextField
              label="Seeds"
              name="seeds"
              value={draft.seeds}
              onChange={(value) => set('seeds', value)}
              placeholder="./seeds"
              spellCheck={false}
            />
          </div>
        </fieldset>
      </form>
    </Dialog>
  )
}
