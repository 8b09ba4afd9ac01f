export { MongoHub, getMongoHub, closeMongoHubs, type MongoHubOptions, type MongoPingResult } from './hub';
export { consoleLogger, type MongoLogger } from './logger';
export { IndexRegistry, indexRegistry, declareIndexes, ensureIndexes, type DeclaredIndex } from './indexes';
export { bulkUpsert, type BulkUpsertOptions, type BulkUpsertResult, type BulkUpsertError } from './bulk-upsert';
export { MongoDto, type DtoOptions, type DtoSchema, type DtoValidation, type FieldKind, type FieldRule } from './dto/mongo-dto';
export {
  toMoney,
  toDateTime,
  toText,
  toNumber,
  toBoolean,
  epochToMillis,
  formatWithOffset,
  parseOffset,
  EPOCH_MS_THRESHOLD,
  type Conversion,
} from './dto/conversions';
