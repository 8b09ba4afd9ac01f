/**
 * Platform records → MongoDB documents shared by the sync and the webhook plugin: money as Decimal128, epoch
 * seconds/milliseconds as ISO-8601 in +07:00, normalised strings, the metadata `platform`, `channel_id`,
 * `shop_id`, `synced_at`, `details_fetched_at`. A record that fails validation is kept with `is_valid: false` and
 * `validation_errors`; fields that fail to convert keep their raw input under `raw_fields`; a record that cannot
 * be mapped at all is kept whole under `raw` with its `parse_error`. Raw keys no mapping consumed are stored as
 * they came.
 */
import { createHash } from 'node:crypto';
import { MongoDto, type DtoSchema } from '../mongo';
import { mapRecord, type Entity, type Platform } from './mappings';
import { epochSeconds, type Raw } from './normalize';

export interface DocumentMeta {
  platform: Platform;
  channel_id: string;
  shop_id: string;
  /** Region of the shop (currency and Lazada amount units). @defaultValue 'VN' */
  region?: string;
  /** ISO time of this sync. */
  synced_at: string;
  /** ISO time the detail call answered (orders). */
  details_fetched_at?: string;
}

/** The field identifying a document of each entity (with shop_id and channel_id). */
export const ENTITY_KEY: Record<Entity, string> = {
  orders: 'order_id', order_tracking: 'order_id', transactions: 'transaction_id', returns: 'return_id', products: 'product_id',
};

const META: DtoSchema = { platform: { kind: 'string', required: true }, channel_id: { kind: 'string', required: true }, shop_id: { kind: 'string', required: true }, synced_at: 'raw', details_fetched_at: 'raw' };

const SCHEMAS: Record<Entity, DtoSchema> = {
  orders: { ...META, order_id: { kind: 'string', required: true }, status: { kind: 'string', required: true }, create_time: { kind: 'datetime', required: true }, update_time: 'datetime', paid_time: 'datetime', currency: 'string', total_amount: 'money', shipping_fee: 'money', buyer_name: 'string', buyer_phone: 'string', tracking_number: 'string' },
  order_tracking: { ...META, order_id: { kind: 'string', required: true }, logistics_status: 'string', tracking_number: 'string' },
  transactions: { ...META, transaction_id: { kind: 'string', required: true }, order_id: 'string', type: 'string', amount: { kind: 'money', required: true }, fee_amount: 'money', revenue_amount: 'money', currency: 'string', transaction_time: 'datetime' },
  returns: { ...META, return_id: { kind: 'string', required: true }, order_id: 'string', status: { kind: 'string', required: true }, create_time: 'datetime', update_time: 'datetime', refund_amount: 'money', currency: 'string' },
  products: { ...META, product_id: { kind: 'string', required: true }, name: 'string', status: 'string', create_time: 'datetime', update_time: 'datetime' },
};

class MarketDto extends MongoDto {
  constructor(protected readonly schema: DtoSchema, input: Raw, private readonly extraErrors: string[]) {
    super(input, { keepKeys: ['details_fetched_at'].filter((k) => k in input) });
  }

  protected override rules(): string[] {
    return this.extraErrors;
  }
}

function eventTimes(doc: Raw): void {
  if (!Array.isArray(doc.events)) return;
  doc.events = (doc.events as Raw[]).map((e) => {
    const d = new EventDto(e).toDocument();
    delete d.is_valid;
    delete d.validation_errors;
    return d;
  });
}

class EventDto extends MongoDto {
  protected readonly schema: DtoSchema = { time: 'datetime', description: 'string', status: 'string' };
}

/** One platform record as the document to upsert. Never throws: a record that cannot be read is kept raw. */
export function toMarketDocument(entity: Entity, raw: unknown, meta: DocumentMeta): Raw {
  const metaFields = { platform: meta.platform, channel_id: meta.channel_id, shop_id: meta.shop_id, synced_at: meta.synced_at, ...(meta.details_fetched_at ? { details_fetched_at: meta.details_fetched_at } : {}) };
  const key = ENTITY_KEY[entity];
  try {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`expected an object, got ${Array.isArray(raw) ? 'an array' : typeof raw}`);
    const mapped = mapRecord(entity, meta.platform, raw as Raw, { region: meta.region ?? 'VN' });
    const rest: Raw = {};
    for (const [k, v] of Object.entries(raw as Raw)) if (!mapped.consumed.includes(k) && !(k in mapped.fields)) rest[k] = v;
    const input: Raw = { ...rest, ...mapped.fields, ...metaFields };
    const doc = new MarketDto(SCHEMAS[entity], input, mapped.errors).toDocument();
    eventTimes(doc);
    const epoch = epochSeconds(mapped.fields.update_time) ?? (typeof mapped.fields.update_time === 'string' ? Math.floor(Date.parse(mapped.fields.update_time) / 1000) || undefined : undefined);
    if (epoch !== undefined) doc.update_epoch = epoch;
    return doc;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const id = raw && typeof raw === 'object' ? (raw as Raw)[key] ?? (raw as Raw).id : undefined;
    return { [key]: id === undefined || id === null ? `UNPARSEABLE:${createHash('sha1').update(JSON.stringify(raw) ?? String(raw)).digest('hex')}` : String(id), ...metaFields, is_valid: false, validation_errors: [`parse error: ${message}`], parse_error: message, raw };
  }
}
