import { createContext, useCallback, useContext, useState, type ReactNode } from 'react'
import type { ErrorPayload } from '../../../src-shared/errors.js'
import { errorPayload } from '../client/api.js'

interface Toast {
  id: number
  kind: 'error' | 'success' | 'info'
  title: string
  message?: string
  remedy?: string
}

interface ToastApi {
  error(error: unknown): void
  success(title: string, message?: string): void
  info(title: string, message?: string): void
}

const ToastContext = createContext<ToastApi | undefined>(undefined)
let nextId = 1

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([])
  const dismiss = useCallback((id: number) => setToasts((all) => all.filter((toast) => toast.id !== id)), [])
  const push = useCallback(
    (toast: Omit<Toast, 'id'>) => {
      const id = nextId++
      setToasts((all) => [...all.slice(-2), { ...toast, id }])
      setTimeout(() => dismiss(id), toast.kind === 'error' ? 12_000 : 4_000)
    },
    [dismiss],
  )
  const [api] = useState<ToastApi>(() => ({
    error: (error) => {
      const payload: ErrorPayload = errorPayload(error)
      push({
        kind: 'error',
        title: payload.code.replace(/_/g, ' ').toLowerCase(),
        message: payload.message,
        remedy: payload.remedy,
      })
    },
    success: (title, message) => push({ kind: 'success', title, message }),
    info: (title, message) => push({ kind: 'info', title, message }),
  }))
  return (
    <ToastContext.Provider value={api}>
      {children}
      <div className="toasts" role="region" aria-label="Notifications">
        {toasts.map((toast) => (
          <div
            key={toast.id}
            className={`toast toast-${toast.kind}`}
            role={toast.kind === 'error' ? 'alert' : 'status'}
          >
            <div className="toast-body">
              <div className="toast-title">{toast.title}</div>
              {toast.message && <div className="toast-message">{toast.message}</div>}
              {toast.remedy && (
                <div className="toast-remedy">
                  <span className="label">Remedy</span> {toast.remedy}
                </div>
              )}
            </div>
            <button className="icon-button" aria-label="Dismiss" onClick={() => dismiss(toast.id)}>
              ×
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  )
}

export function useToasts(): ToastApi {
  const context = useContext(ToastContext)
  if (!context) throw new Error('useToasts outside ToastProvider')
  return context
}
