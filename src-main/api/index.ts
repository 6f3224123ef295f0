export { createDispatcher, type Dispatch } from './dispatch.js'
export { handlers } from './handlers.js'
export type { ApiContext, Handler, HandlerTable } from './context.js'
export { createApiContext, type ApiContextOptions } from './create.js'
