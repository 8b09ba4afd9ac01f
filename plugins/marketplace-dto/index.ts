/** Marketplace documents shared by the sync plugin and the webhook plugin. */
export { toMarketDocument, ENTITY_KEY, type DocumentMeta } from './market-document';
export { COLLECTIONS, keyFields, declareMarketIndexes } from './indexes';
export { mapRecord, type Entity, type Platform } from './mappings';
export { normalizeStatus, epochSeconds } from './normalize';
