import { afterAll } from 'vitest';
import { openPostgresStore } from '../src/store/postgres/index.js';
import { storeContract } from '../src/testing/store-contract.js';
import { dropSchema, emptySchema, schemaUrl, uniqueSchema } from './helpers/postgres.js';

// One schema for this file on the real server, emptied before each test and dropped at the end.
const schema = uniqueSchema('contract');
afterAll(() => dropSchema(schema));

storeContract('postgres', async () => {
  const store = await openPostgresStore(schemaUrl(schema), { poolSize: 4 });
  await emptySchema(schema);
  return { store, cleanup: () => store.close() };
});
