import pg from 'pg';
import { openPostgresStore } from '../src/store/postgres/index.js';
import { dropSchema, PG_URL, schemaUrl, uniqueSchema } from './helpers/postgres.js';
import { truthfulStateSuite } from './helpers/truthful-state.js';

truthfulStateSuite('PostgreSQL', async () => {
  const schema = uniqueSchema('state');
  const spec = schemaUrl(schema);
  const store = await openPostgresStore(spec);
  return {
    store,
    spec,
    async sql(statement, parameters) {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        await client.query(`SET search_path TO ${pg.escapeIdentifier(schema)}`);
        await client.query(statement, parameters);
      } finally {
        await client.end();
      }
    },
    async cleanup() {
      await store.close();
      await dropSchema(schema);
    },
  };
});
