export {
  Migrator,
  type MigratorSettings,
  type RunResult,
  type StepResult,
  type UpOptions,
  type DownOptions,
  type RepairOptions,
} from './engine.js'
export { createMigration, type CreateOptions } from './create.js'
export { readMigrations, canonicalVersion } from './formats/index.js'
export { compareVersions, readMigrationVersion } from './version.js'
export { checksum } from './checksum.js'
export type * from './model.js'
