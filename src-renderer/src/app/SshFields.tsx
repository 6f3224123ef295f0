/**
 * The "SSH tunnel" section of the profile form: the bastion (host, port, user), how to authenticate
 * (key file + passphrase, ssh-agent, password), jump hosts, known_hosts and host key checking. Secrets are
 * typed here and sent once with the save; afterwards the form only shows "stored" badges.
 */
import type { ProfileInputT, ProfileViewT } from '../../../src-shared/contract.js'
import { STRICT_HOST_KEY_MODES } from '../../../src-shared/schemas/constants.js'
import { TextField } from './TextField.js'

export type SshAuth = 'key' | 'agent' | 'password'

export interface SshDraft {
  enabled: boolean
  host: string
  port: string
  user: string
  auth: SshAuth
  identityFile: string
  passphrase: string
  password: string
  /** Empty: the agent of SSH_AUTH_SOCK. */
  agentSocket: string
  jump: string
  knownHosts: string
  strictHostKey: (typeof STRICT_HOST_KEY_MODES)[number]
  clearSecrets: boolean
}

export function sshDraftFrom(profile: ProfileViewT | undefined): SshDraft {
  const ssh = profile?.ssh
  const auth: SshAuth = ssh?.agent
    ? 'agent'
    : !ssh?.identityFile && profile?.hasSshPassword && !profile.hasSshPassphrase
      ? 'password'
      : 'key'
  return {
    enabled: !!ssh,
    host: ssh?.host ?? '',
    port: ssh?.port ? String(ssh.port) : '',
    user: ssh?.user ?? '',
    auth,
    identityFile: ssh?.identityFile ?? '',
    passphrase: '',
    password: '',
    agentSocket: typeof ssh?.agent === 'string' ? ssh.agent : '',
    jump: ssh?.jump ?? '',
    knownHosts: ssh?.knownHosts ?? '',
    strictHostKey: ssh?.strictHostKey ?? 'yes',
    clearSecrets: false,
  }
}

/** The ssh fields of a ProfileInput: the section (no secrets) and, separately, the secrets typed now. */
export function sshInput(
  draft: SshDraft,
): Pick<ProfileInputT, 'ssh' | 'sshPassword' | 'sshPassphrase' | 'clearSshSecrets'> {
  if (!draft.enabled || !draft.host.trim()) return { ssh: undefined, clearSshSecrets: draft.enabled || undefined }
  const or = (value: string) => value.trim() || undefined
  return {
    ssh: {
      host: draft.host.trim(),
      port: draft.port ? Number(draft.port) : undefined,
      user: or(draft.user),
      identityFile: draft.auth === 'key' ? or(draft.identityFile) : undefined,
      agent: draft.auth === 'agent' ? (or(draft.agentSocket) ?? true) : undefined,
      jump: or(draft.jump),
      knownHosts: or(draft.knownHosts),
      strictHostKey: draft.strictHostKey === 'yes' ? undefined : draft.strictHostKey,
    },
    // "Ask every time" never stores them; they still serve a test of the draft.
    sshPassword: draft.auth === 'password' && draft.password ? draft.password : undefined,
    sshPassphrase: draft.auth === 'key' && draft.passphrase ? draft.passphrase : undefined,
    clearSshSecrets: draft.clearSecrets || undefined,
  }
}

export function SshFields(props: {
  ssh: SshDraft
  profile?: ProfileViewT
  /** The profile asks for its passwords every time: SSH secrets are not stored either. */
  asking: boolean
  onChange: (ssh: SshDraft) => void
}) {
  const { ssh } = props
  const set = <K extends keyof SshDraft>(key: K, value: SshDraft[K]) => props.onChange({ ...ssh, [key]: value })
  const hasPassword = !!props.profile?.hasSshPassword
  const hasPassphrase = !!props.profile?.hasSshPassphrase
  const storedNote = props.asking ? ' (for testing only, not saved)' : ''
  return (
    <fieldset className="span-2 fieldset" data-testid="ssh-section">
      <legend>SSH tunnel</legend>
      <label className="check">
        <input
          type="checkbox"
          name="sshEnabled"
          checked={ssh.enabled}
          onChange={(e) => set('enabled', e.target.checked)}
        />{' '}
        Connect through an SSH host (bastion); the database host above is as that host sees it
      </label>
      {ssh.enabled && (
        <div className="form-grid">
          <TextField
            label="SSH host"
            name="sshHost"
            value={ssh.host}
            onChange={(value) => set('host', value)}
            placeholder="bastion.example.com or a ~/.ssh/config alias"
            spellCheck={false}
            required
          />
          <TextField
            label="SSH port"
            name="sshPort"
            value={ssh.port}
            onChange={(value) => set('port', value.replace(/\D/g, ''))}
            placeholder="22"
            inputMode="numeric"
          />
          <TextField
            label="SSH user"
            name="sshUser"
            value={ssh.user}
            onChange={(value) => set('user', value)}
            placeholder="from ~/.ssh/config, else your login"
            spellCheck={false}
          />
          <div className="field">
            <span>Authentication</span>
            <div className="segmented" role="radiogroup" aria-label="SSH authentication">
              {(
                [
                  ['key', 'Key file'],
                  ['agent', 'ssh-agent'],
                  ['password', 'Password'],
                ] as const
              ).map(([auth, label]) => (
                <button
                  type="button"
                  key={auth}
                  role="radio"
                  aria-checked={ssh.auth === auth}
                  className={ssh.auth === auth ? 'active' : ''}
                  onClick={() => set('auth', auth)}
                >
                  {label}
                </button>
              ))}
            </div>
          </div>
          {ssh.auth === 'key' && (
            <>
              <TextField
                label="Private key file"
                name="sshIdentityFile"
                value={ssh.identityFile}
                onChange={(value) => set('identityFile', value)}
                placeholder="~/.ssh/id_ed25519 (default keys if empty)"
                spellCheck={false}
              />
              <label className="field">
                <span>
                  {hasPassphrase ? 'New key passphrase (leave empty to keep)' : `Key passphrase${storedNote}`}
                  {hasPassphrase && (
                    <span className="secret-badge" data-testid="ssh-passphrase-stored">
                      stored
                    </span>
                  )}
                </span>
                <input
                  name="sshPassphrase"
                  type="password"
                  value={ssh.passphrase}
                  onChange={(e) => set('passphrase', e.target.value)}
                  autoComplete="new-password"
                  placeholder={hasPassphrase ? '•••••••• stored' : 'only for an encrypted key'}
                />
              </label>
            </>
          )}
          {ssh.auth === 'agent' && (
            <TextField
              label="Agent socket"
              className="span-2"
              name="sshAgent"
              value={ssh.agentSocket}
              onChange={(value) => set('agentSocket', value)}
              placeholder="SSH_AUTH_SOCK (default)"
              spellCheck={false}
            />
          )}
          {ssh.auth === 'password' && (
            <label className="field span-2">
              <span>
                {hasPassword ? 'New SSH password (leave empty to keep)' : `SSH password${storedNote}`}
                {hasPassword && (
                  <span className="secret-badge" data-testid="ssh-password-stored">
                    stored
                  </span>
                )}
              </span>
              <input
                name="sshPassword"
                type="password"
                value={ssh.password}
                onChange={(e) => set('password', e.target.value)}
                autoComplete="new-password"
                placeholder={hasPassword ? '•••••••• stored' : ''}
              />
            </label>
          )}
          <TextField
            label="Jump host(s)"
            name="sshJump"
            value={ssh.jump}
            onChange={(value) => set('jump', value)}
            placeholder="user@jump:22, comma-separated (like ssh -J)"
            spellCheck={false}
          />
          <label className="field">
            <span>Host key checking</span>
            <select
              name="sshStrictHostKey"
              value={ssh.strictHostKey}
              onChange={(e) => set('strictHostKey', e.target.value as SshDraft['strictHostKey'])}
            >
              <option value="yes">Ask for unknown keys (recommended)</option>
              <option value="accept-new">Record unknown keys silently</option>
              <option value="no">Check nothing (unsafe)</option>
            </select>
          </label>
          <TextField
            label="known_hosts file"
            className="span-2"
            name="sshKnownHosts"
            value={ssh.knownHosts}
            onChange={(value) => set('knownHosts', value)}
            placeholder="~/.ssh/known_hosts"
            spellCheck={false}
          />
          {(hasPassword || hasPassphrase) && (
            <label className="check span-2">
              <input
                type="checkbox"
                checked={ssh.clearSecrets}
                onChange={(e) => set('clearSecrets', e.target.checked)}
              />{' '}
              Forget the stored SSH password and key passphrase
            </label>
          )}
        </div>
      )}
    </fieldset>
  )
}
