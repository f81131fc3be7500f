import { registerServiceSchemas } from '#libs/testing';

// Every test file with a database: what createTestDatabase migrates a test database with (once per run, into a
// template it copies), the three services' schemas, loaded only when a template is built.
registerServiceSchemas(async () => {
  const [{ INTAKE_SCHEMA }, { RECTIFICATION_SCHEMA }, { STATISTICS_SCHEMA }] = await Promise.all([
    import('../../apps/intake/src/data-source.js'),
    import('../../apps/rectification/src/data-source.js'),
    import('../../apps/statistics/src/data-source.js'),
  ]);
  return [INTAKE_SCHEMA, RECTIFICATION_SCHEMA, STATISTICS_SCHEMA];
});
