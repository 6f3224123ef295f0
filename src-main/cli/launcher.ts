/**
 * The CLI's entry (built as out/cli/migr8.js): runs the bundle (migr8.cjs beside it) from V8's code
 * cache. Compiling the 1.7 MB bundle, or loading it as a dozen ES module chunks, cost every command
 * 30–40 ms of its ~150 ms start-up; with the cache V8 only deserialises the compiled code.
 *
 * The cache sits beside the bundle (`migr8.cjs.cache`) and is written once, after a command ran (so
 * it holds the functions that command compiled), whenever it is missing, made for another bundle or
 * rejected by V8 (another Node version). Where the folder is read-only the bundle is simply compiled.
 */
import { hash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Script, constants } from 'node:vm'
import { writeFileAtomic } from '../profiles/atomic.js'

const bundle = fileURLToPath(new URL('./migr8.cjs', import.meta.url))
const cacheFile = `${bundle}.cache`

const bytes = readFileSync(bundle)
// The build makes the bundle ASCII-only, and decoding ASCII as latin1 is a copy (UTF-8: ~5 ms).
const source = bytes.toString('latin1')
/**
 * V8 checks only the length of the source a cache was made from: a rebuilt bundle of the same length
 * would run the old code. So the cache starts with the SHA-256 of its bundle (~1 ms to compute).
 */
const sourceHash = hash('sha256', bytes, 'buffer')

function readCache(): Buffer | undefined {
  try {
    const contents = readFileSync(cacheFile)
    return contents.subarray(0, sourceHash.length).equals(sourceHash) ? contents.subarray(sourceHash.length) : undefined
  } catch {
    return undefined
  }
}

function writeCache(data: Buffer): void {
  try {
    writeFileAtomic(cacheFile, Buffer.concat([sourceHash, data]), 0o644)
  } catch {
    // Read-only install or full disk: the next command compiles the bundle again, that is all.
  }
}

const cachedData = readCache()
const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: bundle,
  cachedData,
  // The bundle imports a few packages and core modules on demand with import().
  importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
})
if (!cachedData || script.cachedDataRejected) process.once('exit', () => writeCache(script.createCachedData()))
const module = { exports: {} }
;(script.runInThisContext() as (...args: unknown[]) => void)(
  module.exports,
  createRequire(bundle),
  module,
  bundle,
  dirname(bundle),
)
