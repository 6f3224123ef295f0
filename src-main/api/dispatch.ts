/**
 * The single entry both transports call: checks the channel exists, validates the input against
 * the contract, runs the handler, checks the output (which also strips anything the schema does not
 * declare, so a handler cannot leak a field such as a password) and turns every failure into an
 * error payload. Nothing thrown here crosses the boundary as an exception.
 */
import { z } from 'zod'
import { contract, isChannel, type CallResult, type Channel } from '../../src-shared/contract.js'
import { Migr8Error, toErrorPayload } from '../../src-shared/errors.js'
import type { ApiContext, HandlerTable } from './context.js'
import { handlers as defaultHandlers } from './handlers.js'

export type Dispatch = (channel: unknown, input: unknown) => Promise<CallResult>

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]
  const path = issue.path.map(String).join('.')
  return `${path ? `${path}: ` : ''}${issue.message}`
}

export function createDispatcher(context: ApiContext, handlers: HandlerTable = defaultHandlers): Dispatch {
  return async (channel, input) => {
    if (!isChannel(channel)) {
      const shown = typeof channel === 'string' ? `"${channel.slice(0, 80)}"` : `a ${typeof channel}`
      return fail(
        new Migr8Error(
          'IPC_INVALID',
          `Unknown call ${shown}.`,
          'Update the app: the window and the main process disagree on the calls that exist.',
        ),
      )
    }
    const entry = contract[channel]
    const parsed = (entry.input as z.ZodType).safeParse(input)
    if (!parsed.success) {
      return fail(
        new Migr8Error(
          'IPC_INVALID',
          `Invalid input for ${channel}: ${describeIssue(parsed.error)}.`,
          'Check the values entered; if this persists, report it as a bug.',
          { channel },
        ),
      )
    }
    try {
      const handler = handlers[channel] as (input: unknown, context: ApiContext) => Promise<unknown>
      const value = await handler(parsed.data, context)
      const output = (entry.output as z.ZodType).safeParse(value)
      if (!output.success) {
        return fail(
          new Migr8Error(
            'INTERNAL',
            `The result of ${channel} did not match the contract: ${describeIssue(output.error)}.`,
            'Report this as a bug.',
            { channel },
          ),
        )
      }
      return { ok: true, value: output.data }
    } catch (error) {
      return fail(error)
    }
  }
}

function fail(error: unknown): CallResult {
  const payload = toErrorPayload(error)
  if (payload.code === 'INTERNAL') payload.remedy = 'Try again; if it persists, report it with the message above.'
  return { ok: false, error: payload }
}

export type { Channel }
