/** The unique record keys, created at worker boot (declared on import of this module). */
import { declareIndexes } from '../mongo';
import { ENTITY_COLLECTION, MARKET_ENTITIES, recordKeyFields } from './entities';

for (const entity of MARKET_ENTITIES) {
  declareIndexes(ENTITY_COLLECTION[entity], [{ key: Object.fromEntries(recordKeyFields(entity).map((f) => [f, 1 as const])), unique: true }]);
}
