import { resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'electron-vite'
import type { Plugin } from 'vite'

/** In `npm run dev` only: Vite injects <style> tags and talks to its HMR socket; the built app keeps the strict CSP. */
const devCsp: Plugin = {
  name: 'migr8-dev-csp',
  apply: 'serve',
  transformIndexHtml: (html) =>
    html
      .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
      .replace("connect-src 'self'", "connect-src 'self' ws: http://localhost:*"),
}

/**
 * Three bundles: the main process (ESM, out/main/index.js — package.json "main"), the sandboxed
 * preload (CommonJS, out/preload/index.cjs: sandboxed preloads cannot be ES modules) and the React
 * renderer (out/renderer, also served by `migr8 web`).
 */
export default defineConfig({
  main: {
    build: {
      rolldownOptions: {
        input: {
          index: resolve(import.meta.dirname, 'src-main/electron/main.ts'),
          // The engine host, started with utilityProcess.fork (handlers and engines off the main process).
          'api-host': resolve(import.meta.dirname, 'src-main/electron/api-host.ts'),
          // The CSV parsing worker thread of seed imports (found beside the engine code at run time).
          'seed-parser': resolve(import.meta.dirname, 'src-main/seed/parse-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(import.meta.dirname, 'src-main/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src-renderer'),
    plugins: [react(), devCsp],
    build: {
      outDir: resolve(import.meta.dirname, 'out/renderer'),
      minify: true,
      rolldownOptions: { input: resolve(import.meta.dirname, 'src-renderer/index.html') },
    },
  },
})
