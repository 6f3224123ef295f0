/** golang-migrate: `{version}_{name}.up.sql` and `{version}_{name}.down.sql`, one file per direction. */
export const GOLANG_MIGRATE_NAME = /^(\d+)_(.+)\.(up|down)\.sql$/
