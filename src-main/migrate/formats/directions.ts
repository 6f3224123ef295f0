import type { Script } from '../model.js'
import { readDirectives } from './directives.js'

/** A file that is one direction of a migration in full (golang-migrate, Flyway, plain up-only). */
export function directionScript(file: string, text: string): Script {
  return { sql: text, file, line: 1, ...readDirectives(text) }
}
