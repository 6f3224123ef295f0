import { useState } from 'react'
import { Dialog } from './ui.js'

/** Asks for confirmation; with `typeToConfirm`, the exact text (the database name) must be typed. */
export function ConfirmDialog(props: {
  title: string
  message: string
  confirmLabel: string
  typeToConfirm?: string
  onConfirm: () => void
  onClose: () => void
}) {
  const [typed, setTyped] = useState('')
  const allowed = !props.typeToConfirm || typed === props.typeToConfirm
  return (
    <Dialog
      title={props.title}
      onClose={props.onClose}
      footer={
        <>
          <button className="button" onClick={props.onClose}>
            Cancel
          </button>
          <button
            className="button button-danger"
            disabled={!allowed}
            data-testid="confirm"
            onClick={() => {
              props.onClose()
              props.onConfirm()
            }}
          >
            {props.confirmLabel}
          </button>
        </>
      }
    >
      <p>{props.message}</p>
      {props.typeToConfirm && (
        <label className="field">
          <span>
            Type <code>{props.typeToConfirm}</code> to confirm
          </span>
          <input
            autoFocus
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

/** For "ask every time" profiles: the password is used for this one call and then forgotten. */
export function PasswordPrompt(props: {
  profileName: string
  onSubmit: (password: string) => void
  onClose: () => void
}) {
  const [password, setPassword] = useState('')
  return (
    <Dialog title={`Password for ${props.profileName}`} onClose={props.onClose}>
      <form
        onSubmit={(event) => {
          event.preventDefault()
          props.onClose()
          props.onSubmit(password)
        }}
      >
        <label className="field">
          <span>Password (used once, never stored)</span>
          <input
            type="password"
            autoFocus
            autoComplete="off"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            data-testid="ask-password"
          />
        </label>
        <div className="dialog-footer inline">
          <button type="submit" className="button button-primary">
            Connect
          </button>
        </div>
      </form>
    </Dialog>
  )
}

/** A single-line text request (a path), used by "Import from migr8.yaml". */
export function TextPrompt(props: {
  title: string
  label: string
  placeholder?: string
  onSubmit: (value: string) => void
  onClose: () => void
}) {
  const [value, setValue] = useState('')
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <form
        onSubmit={(event) => {
          event.preventDefault()
          props.onClose()
          props.onSubmit(value)
        }}
      >
        <label className="field">
          <span>{props.label}</span>
          <input
            autoFocus
            value={value}
            placeholder={props.placeholder}
            onChange={(e) => setValue(e.target.value)}
            spellCheck={false}
          />
        </label>
        <div className="dialog-footer inline">
          <button type="submit" className="button button-primary" disabled={!value.trim()}>
            Import
          </button>
        </div>
      </form>
    </Dialog>
  )
}

/** Unlocks the master-password store, or sets the master password the first time (typed twice). */
export function MasterPasswordDialog(props: {
  configured: boolean
  onSubmit: (password: string) => Promise<void>
  onClose: () => void
}) {
  const [password, setPassword] = useState('')
  const [again, setAgain] = useState('')
  const [busy, setBusy] = useState(false)
  const mismatch = !props.configured && again !== '' && again !== password
  const ready = password.length >= 8 && (props.configured || again === password)
  return (
    <Dialog title={props.configured ? 'Unlock stored passwords' : 'Set a master password'} onClose={props.onClose}>
      <form
        onSubmit={async (event) => {
          event.preventDefault()
          setBusy(true)
          try {
            await props.onSubmit(password)
            props.onClose()
          } catch {
            // The error is shown as a toast; the dialog stays open to try again.
          } finally {
            setBusy(false)
          }
        }}
      >
        <p className="muted">
          {props.configured
            ? 'No OS keychain is available, so stored passwords are encrypted with your master password. It is kept in memory only until you quit.'
            : 'No OS keychain is available. A master password (at least 8 characters) encrypts the passwords you choose to store; without it, profiles ask for their password each time.'}
        </p>
        <label className="field">
          <span>Master password</span>
          <input
            type="password"
            autoFocus
            autoComplete="off"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            data-testid="master-password"
          />
        </label>
        {!props.configured && (
          <label className="field">
            <span>Type it again</span>
            <input type="password" autoComplete="off" value={again} onChange={(e) => setAgain(e.target.value)} />
            {mismatch && <small className="log-error">The two entries differ.</small>}
          </label>
        )}
        <div className="dialog-footer inline">
          <button type="submit" className="button button-primary" disabled={!ready || busy}>
            {props.configured ? 'Unlock' : 'Set master password'}
          </button>
        </div>
      </form>
    </Dialog>
  )
}
