/**
 * The preload bridge's surface, kept free of zod so the sandboxed preload stays tiny. The contract
 * (src-shared/contract.ts) re-exports these.
 */
import type { ErrorPayload } from '../errors.js'

/** IPC channel names used by the preload bridge and the Electron transport (and nothing else). */
export const IPC = { call: 'migr8:call', event: 'migr8:job-event' } as const

/** What a transport returns for every call: a value, or an error payload (never a thrown exception). */
export type CallResult<T = unknown> = { ok: true; value: T } | { ok: false; error: ErrorPayload }

/** What the preload exposes on `window.migr8`; the web transport implements the same. */
export interface Bridge<Event = unknown> {
  call(channel: string, input: unknown): Promise<CallResult>
  onJobEvent(listener: (event: Event) => void): () => void
}
