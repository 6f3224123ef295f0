/**
 * The "SSH tunnel" section of the profile form: the bastion (host, port, user), how to authenticate
 * (key file + passphrase, ssh-agent, password), jump hosts, known_hosts and host key checking. Secrets are
 * typed here and sent once with the save; afterwards the form only shows "stored" badges.
 */
import type { ProfileInputT, ProfileViewT } from '../../../src-shared/contract.js'
import { STRICT_HOST_KEY_MODES } from '../../../src-shared/schemas/constants.js'

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
          <label className="field">
            <span>SSH host</span>
            <input
              name="sshHost"
              value={ssh.host}
              onChange={(e) => set('host', e.target.value)}
              placeholder="bastion.example.com or a ~/.ssh/config alias"
              spellCheck={false}
              required
            />
          </label>
          <label className="field">
            <span>SSH port</span>
            <input
              name="sshPort"
              value={ssh.port}
              onChange={(e) => set('port', e.target.value.replace(/\D/g, ''))}
              placeholder="22"
              inputMode="numeric"
            />
          </label>
          <label className="field">
            <span>SSH user</span>
            <input
              name="sshUser"
              value={ssh.user}
              onChange={(e) => set('user', e.target.value)}
              placeholder="from ~/.ssh/config, else your login"
              spellCheck={false}
            />
          </label>
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
              <label className="field">
                <span>Private key file</span>
                <input
                  name="sshIdentityFile"
                  value={ssh.identityFile}
                  onChange={(e) => set('identityFile', e.target.value)}
                  placeholder="~/.ssh/id_ed25519 (default keys if empty)"
                  spellCheck={false}
                />
              </label>
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
            <label className="field span-2">
              <span>Agent socket</span>
              <input
                name="sshAgent"
                value={ssh.agentSocket}
                onChange={(e) => set('agentSocket', e.target.value)}
                placeholder="SSH_AUTH_SOCK (default)"
                spellCheck={false}
              />
            </label>
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
          <label className="field">
            <span>Jump host(s)</span>
            <input
              name="sshJump"
              value={ssh.jump}
              onChange={(e) => set('jump', e.target.value)}
              placeholder="user@jump:22, comma-separated (like ssh -J)"
              spellCheck={false}
            />
          </label>
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
          <label className="field span-2">
            <span>known_hosts file</span>
            <input
              name="sshKnownHosts"
              value={ssh.knownHosts}
              onChange={(e) => set('knownHosts', e.target.value)}
              placeholder="~/.ssh/known_hosts"
              spellCheck={false}
            />
          </label>
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
