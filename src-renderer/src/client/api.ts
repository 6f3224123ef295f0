/** The renderer's typed client: `api('profiles.save', input)` is checked against the contract. */
import type { Channel, Input, JobEventT, Output } from '../../../src-shared/contract.js'
import type { ErrorPayload } from '../../../src-shared/errors.js'
import { pickTransport } from './transport.js'

export class ApiError extends Error {
  constructor(readonly payload: ErrorPayload) {
    super(payload.message)
    this.name = 'ApiError'
  }
}

const transport = pickTransport()
export const transportMode = transport.mode

type Args<K extends Channel> = [undefined] extends [Input<K>] ? [input?: Input<K>] : [input: Input<K>]

export async function api<K extends Channel>(channel: K, ...[input]: Args<K>): Promise<Output<K>> {
  const result = await transport.bridge.call(channel, input)
  if (!result.ok) throw new ApiError(result.error)
  return result.value as Output<K>
}

export function onJobEvent(listener: (event: JobEventT) => void): () => void {
  return transport.bridge.onJobEvent(listener as (event: unknown) => void)
}

export function errorPayload(error: unknown): ErrorPayload {
  if (error instanceof ApiError) return error.payload
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error), remedy: 'Try again.' }
}
