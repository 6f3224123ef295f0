/**
 * "Ask every time" profiles: the screens ask for the password once, keep it in memory for this window
 * only (never stored, gone on reload), and pass it with each call that connects.
 */
import { useState } from 'react'
import type { ProfileViewT } from '../../../src-shared/contract.js'
import { PasswordPrompt } from '../app/Dialogs.js'

const typed = new Map<string, string>()

export function useAskedPassword(profile: ProfileViewT) {
  const [password, setPassword] = useState<string | undefined>(() => typed.get(profile.id))
  return {
    /** Undefined for profiles that do not ask, or until it is typed. */
    password: profile.passwordMode === 'ask' ? password : undefined,
    missing: profile.passwordMode === 'ask' && password === undefined,
    set(value: string | undefined) {
      if (value === undefined) typed.delete(profile.id)
      else typed.set(profile.id, value)
      setPassword(value)
    },
  }
}

export function AskPasswordCard(props: { profile: ProfileViewT; onSubmit: (password: string) => void }) {
  const [open, setOpen] = useState(true)
  return (
    <div className="card" data-testid="ask-password-card">
      <p className="muted">
        {props.profile.name} asks for its password each time. It is kept in memory for this window only.
      </p>
      <button className="button button-primary" onClick={() => setOpen(true)}>
        Enter password…
      </button>
      {open && (
        <PasswordPrompt profileName={props.profile.name} onSubmit={props.onSubmit} onClose={() => setOpen(false)} />
      )}
    </div>
  )
}
