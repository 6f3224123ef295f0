import { useEffect, useRef, type ReactNode } from 'react'
import { DRIVER_LABELS, ENVIRONMENT_COLORS } from '../../../src-shared/schemas/constants.js'
import type { Driver, Environment } from '../../../src-shared/contract.js'

export function Dialog(props: {
  title: string
  onClose: () => void
  children: ReactNode
  footer?: ReactNode
  wide?: boolean
  label?: string
}) {
  const ref = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null
    const first = ref.current?.querySelector<HTMLElement>(
      '[autofocus], input, select, textarea, button:not(.icon-button)',
    )
    if (first) first.focus()
    else ref.current?.focus()
    return () => previous?.focus?.()
  }, [])
  return (
    <div className="backdrop" onMouseDown={(event) => event.target === event.currentTarget && props.onClose()}>
      <div
        ref={ref}
        className={`dialog${props.wide ? ' dialog-wide' : ''}`}
        tabIndex={-1}
        role="dialog"
        aria-modal="true"
        aria-label={props.label ?? props.title}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.stopPropagation()
            props.onClose()
          }
        }}
      >
        <header className="dialog-header">
          <h2>{props.title}</h2>
          <button className="icon-button" aria-label="Close" onClick={props.onClose}>
            ×
          </button>
        </header>
        <div className="dialog-body">{props.children}</div>
        {props.footer && <footer className="dialog-footer">{props.footer}</footer>}
      </div>
    </div>
  )
}

export function EnvBadge({ environment }: { environment: Environment }) {
  return (
    <span className={`env-badge env-${environment}`} title={`${environment} environment`}>
      {environment === 'production' ? 'PROD' : environment === 'staging' ? 'STAGING' : 'DEV'}
    </span>
  )
}

export function EnvDot({ environment }: { environment: Environment }) {
  return (
    <span
      className={`env-dot env-dot-${environment}`}
      aria-hidden="true"
      data-color={ENVIRONMENT_COLORS[environment]}
    />
  )
}

export function DriverTag({ driver }: { driver: Driver }) {
  const short = driver === 'postgres' ? 'PG' : driver === 'mysql' ? 'MY' : 'SQ'
  return (
    <span className={`driver-tag driver-${driver}`} title={DRIVER_LABELS[driver]}>
      {short}
    </span>
  )
}

export function Kbd({ children }: { children: ReactNode }) {
  return <kbd className="kbd">{children}</kbd>
}

export const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform)
export const modKey = isMac ? '⌘' : 'Ctrl'

/** True when a key press happens while typing, where single-letter shortcuts must not fire. */
export function isTyping(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null
  if (!element) return false
  return element.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(element.tagName)
}
