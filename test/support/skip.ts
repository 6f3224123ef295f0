import type { TestContext } from 'vitest'

/**
 * Skips the running test and prints why: vitest's report shows only a count of skipped tests, and a
 * reader of a CI log must see which one was skipped and for what reason (as `SKIPPED …` lines do for
 * unreachable servers in databases.ts).
 */
export function skipWithReason(context: TestContext, reason: string): never {
  console.warn(`SKIPPED ${context.task.name}: ${reason}`)
  return context.skip(reason)
}
