/** The device-token registry: one document per token, whoever registered it last owns it. */
import { MongoServerError } from 'mongodb';
import type { Platform, PushStore, TokenDoc } from './store';

export interface TokenRegistration {
  token: string;
  userId: string;
  platform: Platform;
  app?: string;
  device?: Record<string, string>;
}

export interface RegisterResult {
  token: TokenDoc;
  /** true when the token was not known before. */
  created: boolean;
  /** The user the token belonged to before, when it changed hands. */
  movedFrom?: string;
}

const DUPLICATE_KEY = 11000;

/** Registers or refreshes a token (reactivating it); a token seen again stays one document, moved to the new user. */
export async function registerToken(store: PushStore, r: TokenRegistration, retried = false): Promise<RegisterResult> {
  const now = new Date();
  try {
    const before = await store.tokens.findOneAndUpdate(
      { _id: r.token },
      {
        $set: { userId: r.userId, platform: r.platform, app: r.app ?? '', device: r.device ?? {}, active: true, lastSeenAt: now, updatedAt: now, deactivatedAt: null, deactivationReason: null },
        $setOnInsert: { token: r.token, createdAt: now },
      },
      { upsert: true, returnDocument: 'before' },
    );
    const token = (await store.tokens.findOne({ _id: r.token }))!;
    return { token, created: before === null, ...(before && before.userId !== r.userId ? { movedFrom: before.userId } : {}) };
  } catch (err) {
    // Two first registrations of one token at once: the loser's upsert hits the unique key; the second try updates.
    if (!retried && err instanceof MongoServerError && err.code === DUPLICATE_KEY) return registerToken(store, r, true);
    throw err;
  }
}

export async function removeToken(store: PushStore, token: string): Promise<boolean> {
  return (await store.tokens.deleteOne({ _id: token })).deletedCount === 1;
}

export async function tokensOfUser(store: PushStore, userId: string, includeInactive: boolean): Promise<TokenDoc[]> {
  return store.tokens.find(includeInactive ? { userId } : { userId, active: true }).sort({ lastSeenAt: -1 }).limit(1_000).toArray();
}

/** Marks tokens FCM reported dead (with FCM's error as the reason); tokens already inactive keep their first reason. */
export async function deactivateTokens(store: PushStore, items: ReadonlyArray<{ token: string; reason: string }>): Promise<void> {
  if (items.length === 0) return;
  const now = new Date();
  await store.tokens.bulkWrite(items.map((i) => ({
    updateOne: { filter: { _id: i.token, active: true }, update: { $set: { active: false, deactivatedAt: now, deactivationReason: i.reason, updatedAt: now } } },
  })), { ordered: false });
}

/** Active tokens per user id, in the order asked (one query). */
export async function activeTokensOf(store: PushStore, userIds: string[]): Promise<string[][]> {
  const docs = await store.tokens.find({ userId: { $in: userIds }, active: true }, { projection: { _id: 1, userId: 1 } }).toArray();
  const by = new Map<string, string[]>();
  for (const d of docs) {
    const list = by.get(d.userId);
    if (list) list.push(d._id);
    else by.set(d.userId, [d._id]);
  }
  return userIds.map((u) => by.get(u) ?? []);
}

/** true for tokens the registry knows as deactivated (unknown tokens are sent to), in the order asked. */
export async function inactiveTokens(store: PushStore, tokens: string[]): Promise<boolean[]> {
  const docs = await store.tokens.find({ _id: { $in: tokens }, active: false }, { projection: { _id: 1 } }).toArray();
  const inactive = new Set(docs.map((d) => d._id));
  return tokens.map((t) => inactive.has(t));
}
