import { messageRaceSuite } from './helpers/message-race.js';
import { dropSchema, schemaUrl, uniqueSchema } from './helpers/postgres.js';

messageRaceSuite('PostgreSQL', {
  db: async () => {
    const schema = uniqueSchema('race');
    return { spec: schemaUrl(schema), cleanup: () => dropSchema(schema) };
  },
});
