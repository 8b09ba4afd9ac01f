/**
 * The shops store (MongoDB collection `marketplace_shops`). Credentials are write-only: every read path other
 * than `credentialsOf` — the one the chunk task uses to sign calls — projects them away, and the public view
 * says only whether they are set and when the access token expires.
 */
import type { Collection, Db } from 'mongodb';
import { declareIndexes } from '../../plugins/mongo';
import type { Credentials, PlatformName, ShopRef, TokenStore } from './platforms/types';

export const SHOPS = 'marketplace_shops';

export interface ShopDoc {
  _id: string;
  platform: PlatformName;
  shop_id: string;
  channel_id: string;
  region: string;
  time_zone: string;
  name?: string;
  shop_cipher?: string;
  enabled: boolean;
  credentials?: { access_token: string; refresh_token: string; access_expires_at?: string; updated_at: string };
  /** Lease of the process refreshing the tokens (ms epoch). */
  refreshing_until?: number;
  created_at: string;
  updated_at: string;
}

export interface ShopView {
  id: string;
  platform: PlatformName;
  shopId: string;
  channelId: string;
  region: string;
  timeZone: string;
  name: string | null;
  enabled: boolean;
  /** Whether tokens are stored, and when the access token expires; never the tokens. */
  credentials: { set: boolean; accessExpiresAt: string | null; updatedAt: string | null };
  createdAt: string;
  updatedAt: string;
}

export interface ShopInput {
  platform: PlatformName;
  shopId: string;
  channelId?: string;
  region?: string;
  timeZone?: string;
  name?: string;
  shopCipher?: string;
  enabled?: boolean;
  credentials?: Credentials;
}

declareIndexes(SHOPS, [{ key: { platform: 1, shop_id: 1 }, unique: true, name: 'platform_shop_unique' }, { key: { enabled: 1, platform: 1 } }]);

const NO_SECRETS = { projection: { credentials: 0 } } as const;

export function shopIdOf(platform: string, shopId: string): string {
  return `${platform}:${shopId}`;
}

function view(d: ShopDoc & { has_credentials?: boolean; cred_expires?: string; cred_updated?: string }): ShopView {
  return {
    id: d._id, platform: d.platform, shopId: d.shop_id, channelId: d.channel_id, region: d.region, timeZone: d.time_zone, name: d.name ?? null, enabled: d.enabled,
    credentials: { set: !!d.has_credentials, accessExpiresAt: d.cred_expires ?? null, updatedAt: d.cred_updated ?? null },
    createdAt: d.created_at, updatedAt: d.updated_at,
  };
}

/** A pipeline stage that drops the tokens but keeps what the view may say about them. */
const PUBLIC_STAGES = [
  { $addFields: { has_credentials: { $ifNull: ['$credentials.access_token', false] }, cred_expires: '$credentials.access_expires_at', cred_updated: '$credentials.updated_at' } },
  { $project: { credentials: 0 } },
];

export function toRef(d: Pick<ShopDoc, '_id' | 'platform' | 'shop_id' | 'channel_id' | 'region' | 'time_zone' | 'shop_cipher'>): ShopRef {
  return { id: d._id, platform: d.platform, shopId: d.shop_id, channelId: d.channel_id, region: d.region, timeZone: d.time_zone, shopCipher: d.shop_cipher };
}

export class ShopsStore {
  private readonly col: Collection<ShopDoc>;

  constructor(db: Db, private readonly defaultTimeZone: string) {
    this.col = db.collection<ShopDoc>(SHOPS);
  }

  /** Creates the shop or updates the given fields; credentials are replaced only when given. */
  async upsert(input: ShopInput): Promise<{ view: ShopView; created: boolean }> {
    const now = new Date().toISOString();
    const id = shopIdOf(input.platform, input.shopId);
    const set: Partial<ShopDoc> = { updated_at: now };
    if (input.channelId !== undefined) set.channel_id = input.channelId;
    if (input.region !== undefined) set.region = input.region.toUpperCase();
    if (input.timeZone !== undefined) set.time_zone = input.timeZone;
    if (input.name !== undefined) set.name = input.name;
    if (input.shopCipher !== undefined) set.shop_cipher = input.shopCipher;
    if (input.enabled !== undefined) set.enabled = input.enabled;
    if (input.credentials) set.credentials = { access_token: input.credentials.accessToken, refresh_token: input.credentials.refreshToken, access_expires_at: input.credentials.accessExpiresAt, updated_at: now };
    const onInsert: Partial<ShopDoc> = { platform: input.platform, shop_id: input.shopId, created_at: now };
    if (set.channel_id === undefined) onInsert.channel_id = `${input.platform}-${input.shopId}`;
    if (set.region === undefined) onInsert.region = 'VN';
    if (set.time_zone === undefined) onInsert.time_zone = this.defaultTimeZone;
    if (set.enabled === undefined) onInsert.enabled = true;
    const res = await this.col.updateOne({ _id: id }, { $set: set, $setOnInsert: onInsert }, { upsert: true });
    return { view: (await this.get(id))!, created: res.upsertedCount > 0 };
  }

  async get(id: string): Promise<ShopView | undefined> {
    const [d] = await this.col.aggregate<ShopDoc>([{ $match: { _id: id } }, ...PUBLIC_STAGES]).toArray();
    return d ? view(d) : undefined;
  }

  async list(filter: { platform?: PlatformName; enabled?: boolean } = {}): Promise<ShopView[]> {
    const docs = await this.col.aggregate<ShopDoc>([{ $match: filter }, ...PUBLIC_STAGES, { $sort: { _id: 1 } }]).toArray();
    return docs.map(view);
  }

  async remove(id: string): Promise<boolean> {
    return (await this.col.deleteOne({ _id: id })).deletedCount === 1;
  }

  /** Shops a sync covers: enabled ones, optionally of one platform or a list of ids. */
  async refs(filter: { platform?: PlatformName; ids?: string[] }): Promise<ShopRef[]> {
    const q: Record<string, unknown> = { enabled: true };
    if (filter.platform) q.platform = filter.platform;
    if (filter.ids?.length) q._id = { $in: filter.ids };
    return (await this.col.find(q, NO_SECRETS).sort({ _id: 1 }).toArray()).map(toRef);
  }

  async ref(id: string): Promise<ShopRef | undefined> {
    const d = await this.col.findOne({ _id: id }, NO_SECRETS);
    return d ? toRef(d) : undefined;
  }

  /** The token store of one shop: the only path that reads credentials (the chunk task signing its calls). */
  tokens(id: string, leaseMs = 30_000): TokenStore {
    let cached: Credentials | undefined;
    const read = async (): Promise<Credentials> => {
      const d = await this.col.findOne({ _id: id }, { projection: { credentials: 1 } });
      if (!d?.credentials?.access_token) throw new Error(`shop ${id} has no credentials (set them with PUT /plugins/marketplace/shops/${encodeURIComponent(id)}/credentials)`);
      return (cached = { accessToken: d.credentials.access_token, refreshToken: d.credentials.refresh_token, accessExpiresAt: d.credentials.access_expires_at });
    };
    return {
      load: async () => cached ?? read(),
      refresh: async (usedToken, exchange) => {
        const deadline = Date.now() + leaseMs * 2;
        for (;;) {
          const current = await read();
          if (current.accessToken !== usedToken) return false;
          const now = Date.now();
          const lease = await this.col.updateOne(
            { _id: id, 'credentials.access_token': usedToken, $or: [{ refreshing_until: { $exists: false } }, { refreshing_until: { $lt: now } }] },
            { $set: { refreshing_until: now + leaseMs } },
          );
          if (lease.modifiedCount === 1) {
            try {
              const next = await exchange(current);
              const at = new Date().toISOString();
              await this.col.updateOne({ _id: id }, { $set: { credentials: { access_token: next.accessToken, refresh_token: next.refreshToken, access_expires_at: next.accessExpiresAt, updated_at: at }, updated_at: at }, $unset: { refreshing_until: '' } });
              cached = next;
              return true;
            } catch (err) {
              await this.col.updateOne({ _id: id }, { $unset: { refreshing_until: '' } });
              throw err;
            }
          }
          if (Date.now() > deadline) throw new Error(`shop ${id}: another process held the token refresh for too long`);
          await new Promise((r) => setTimeout(r, 100));
        }
      },
    };
  }
}
