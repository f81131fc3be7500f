export { type EmbeddedDatabase, EmbeddedPostgresError, type EmbeddedPostgresOptions, startEmbeddedPostgres } from '#embedded-postgres';
