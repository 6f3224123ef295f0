/** The commented migr8.yaml written by `migr8 config init`. */
export const CONFIG_TEMPLATE = `# Migr8 configuration. Values may use \${VAR} or \${VAR:-default} from the environment.
# Precedence: this file, then MIGR8_* / DATABASE_URL environment variables, then defaults;
# --url on the command line overrides the database location.

database:
  driver: sqlite              # postgres | mysql | sqlite
  name: ./migr8.sqlite        # database name; for SQLite the file path
  # url: postgres://user@localhost:5432/mydb?sslmode=require   # instead of the keys below
  # host: localhost
  # port: 5432
  # user: postgres
  # password: \${DB_PASSWORD}  # prefer PGPASSWORD-style environment variables to a literal here
  # schema: public            # PostgreSQL: the schema for Migr8's tables
  # ssl:
  #   mode: prefer            # disable | prefer | require | verify-ca | verify-full
  #   ca: ./certs/ca.pem
  # connectTimeout: 10s

migrations:
  dir: ./migrations
  table: migr8_migrations
  lock:
    mode: session             # session (advisory lock) | table (lease; for PgBouncer transaction pooling) | none
    timeout: 60s
  outOfOrder: error           # error | allow | ignore
  create:
    format: golang-migrate    # golang-migrate (.up.sql/.down.sql) | dbmate (-- migrate:up/down)
    versions: timestamp       # timestamp | sequential

backups:
  dir: ./backups
  compress: auto              # auto | gzip | zstd | none
  format: plain               # plain | custom | directory (PostgreSQL: pg_restore formats)
  retention:
    keep: 10
    maxAge: 30d

seeds:
  dir: ./seeds
  truncate: false
`
