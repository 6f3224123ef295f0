import type { HandlerTable } from './context.js'

export const jobHandlers: Pick<HandlerTable, 'jobs.list' | 'jobs.cancel'> = {
  async 'jobs.list'(_input, context) {
    return context.jobs.list()
  },
  async 'jobs.cancel'({ jobId }, context) {
    return { cancelled: context.jobs.cancel(jobId) }
  },
}
