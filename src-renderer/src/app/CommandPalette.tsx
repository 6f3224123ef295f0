import { useMemo, useState } from 'react'
import { Dialog, Kbd } from './ui.js'

export interface Command {
  id: string
  label: string
  hint?: string
  shortcut?: string
  run: () => void
}

/** Fuzzy-ish match: every typed character appears in order. */
function matches(label: string, query: string): boolean {
  let index = 0
  const text = label.toLowerCase()
  for (const char of query.toLowerCase().replace(/\s+/g, '')) {
    index = text.indexOf(char, index)
    if (index < 0) return false
    index++
  }
  return true
}

export function CommandPalette(props: { commands: Command[]; onClose: () => void }) {
  const [query, setQuery] = useState('')
  const [active, setActive] = useState(0)
  const visible = useMemo(
    () => props.commands.filter((command) => matches(`${command.label} ${command.hint ?? ''}`, query)).slice(0, 50),
    [props.commands, query],
  )
  const run = (command: Command | undefined) => {
    if (!command) return
    props.onClose()
    command.run()
  }
  return (
    <Dialog title="Command palette" onClose={props.onClose} label="Command palette">
      <input
        className="palette-input"
        autoFocus
        placeholder="Jump to a profile or run an action…"
        value={query}
        onChange={(e) => {
          setQuery(e.target.value)
          setActive(0)
        }}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown') setActive((index) => Math.min(index + 1, visible.length - 1))
          else if (event.key === 'ArrowUp') setActive((index) => Math.max(index - 1, 0))
          else if (event.key === 'Enter') run(visible[active])
          else return
          event.preventDefault()
        }}
        aria-label="Search commands"
      />
      <ul className="palette-list" role="listbox">
        {visible.map((command, index) => (
          <li
            key={command.id}
            role="option"
            aria-selected={index === active}
            className={index === active ? 'active' : ''}
            onMouseEnter={() => setActive(index)}
            onClick={() => run(command)}
          >
            <span>{command.label}</span>
            {command.hint && <span className="muted"> {command.hint}</span>}
            {command.shortcut && <Kbd>{command.shortcut}</Kbd>}
          </li>
        ))}
        {visible.length === 0 && <li className="muted">Nothing matches.</li>}
      </ul>
    </Dialog>
  )
}
