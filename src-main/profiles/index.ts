export {
  ProfileStore,
  StoredProfile,
  sshSecretKeys,
  stripUrlPassword,
  type ProfileInputParsed,
  type SshSecrets,
} from './store.js'
export {
  FileSecretStore,
  NoSecretStore,
  secretStoreUnavailable,
  type SecretStore,
  type SecretStoreStatus,
} from './secrets.js'
export { exportProfiles, parseProfileDocument, profileFromConfigFile } from './share.js'
export { ensureDemoProfile } from './demo.js'
export { dataDir } from './paths.js'
export { MasterPasswordSecretStore } from './master.js'
