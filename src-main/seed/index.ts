/**
 * The seed engine: preview seed files, load them fast and safely, and capture rows as new seed files.
 * The CLI and the app call these functions; the types are plain data for the IPC contract.
 */
export { previewSeed } from './preview.js'
export { runSeeds } from './run.js'
export { generateSeed } from './generate.js'
export { listSeeds, resolveSeedFiles, tableFromFileName, seedDir } from './sources.js'
export type {
  BadRow,
  GenerateOptions,
  GenerateReport,
  InferredType,
  LoadMethod,
  MappingProblem,
  MappingProblemKind,
  PreviewColumn,
  PreviewOptions,
  RunSeedsOptions,
  SeedFormat,
  SeedPreview,
  SeedReport,
  SeedSource,
  SeedTableReport,
} from './types.js'
