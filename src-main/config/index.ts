export * from './schema.js'
export { loadConfig, findConfigFile, CONFIG_FILE_NAMES, type LoadOptions } from './load.js'
export { parseDatabaseUrl, connectionUrl, maskUrl, DEFAULT_PORTS } from './url.js'
export { ENV_KEYS } from './env.js'
