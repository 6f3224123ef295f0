import { Migr8Error } from '../../src-shared/errors.js'
import type { HandlerTable } from './context.js'

export const secretHandlers: Pick<HandlerTable, 'secrets.unlock' | 'secrets.lock'> = {
  async 'secrets.unlock'({ password }, { profiles }) {
    const store = profiles.secrets
    if (!store.unlock) {
      throw new Migr8Error(
        'BAD_USAGE',
        'This password store has no master password.',
        (await store.status()).description,
      )
    }
    await store.unlock(password)
    return store.status()
  },
  async 'secrets.lock'(_input, { profiles }) {
    await profiles.secrets.lock?.()
    return profiles.secrets.status()
  },
}
