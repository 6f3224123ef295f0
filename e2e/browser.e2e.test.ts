/** The profile spec in browser mode: Debian's Chromium against the in-process web transport. */
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe } from 'vitest'
import { browserUnavailable, ensureBuilt, launchChromium, startApp, type RunningApp } from './support/app.js'
import { defineProfileSpec } from './support/profile-spec.js'

const unavailable = browserUnavailable()

describe.skipIf(!!unavailable)(`browser mode${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let app: RunningApp
  let browser: { context: BrowserContext; close(): Promise<void> }
  let page: Page
  const responses: string[] = []

  beforeAll(async () => {
    ensureBuilt()
    app = await startApp()
    browser = await launchChromium()
    page = await browser.context.newPage()
    page.on('response', (response) => {
      if (response.url().includes('/api/'))
        void response.text().then(
          (body) => responses.push(body),
          () => undefined,
        )
    })
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`))
    page.on('console', (message) => {
      if (message.type() === 'error') console.error(`console: ${message.text()}`)
    })
    await page.goto(app.server.url)
  })

  afterAll(async () => {
    await browser?.close()
    await app?.close()
  })

  defineProfileSpec({
    name: 'browser',
    page: () => page,
    responses: () => responses,
    reload: async () => {
      await page.reload()
      await page.getByTestId('profile-item').first().waitFor()
    },
    dataDir: () => app.dataDir,
  })
})
