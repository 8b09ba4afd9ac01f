/**
 * The intake stream's consumer: per batch, duplicates (idempotency key seen before) are acked without work; the
 * rest is applied per shop and entity (apply-events.ts); the keys of applied pushes are remembered; entries that
 * failed stay pending, are retried after WEBHOOK_CLAIM_IDLE_MS and dead-lettered after WEBHOOK_MAX_DELIVERIES
 * (list and replay them at /streams/webhook-events/dead); entries no retry can fix are dead-lettered at once.
 */
import { Stream, StreamWorker, type StreamContext, type StreamEntry, type StreamResult } from '../../app';
import { detailSource, isPermanent, type MarketPlatform } from '../../plugins/market-records';
import { applyGroup, groupEvents } from './apply-events';
import { DetailBatcher } from './detail-batcher';
import { fromFields, type StoredEvent } from './push-event';
import { SeenKeys } from './seen-keys';
import { resolveShops, shopOf } from './shop-lookup';
import { channelIdFor, CONSUMER_ID, STREAM_NAME } from './settings';

@Stream({
  id: CONSUMER_ID, stream: STREAM_NAME, description: 'Applies signed marketplace pushes to MongoDB, each once',
  batchSize: 'WEBHOOK_BATCH_SIZE', concurrency: 'WEBHOOK_CONCURRENCY', claimIdleMs: 'WEBHOOK_CLAIM_IDLE_MS', maxDeliveries: 'WEBHOOK_MAX_DELIVERIES',
})
export class WebhookEventsWorker extends StreamWorker {
  private seenKeys: SeenKeys | null = null;
  private batcher: DetailBatcher | null = null;

  private seen(ctx: StreamContext): SeenKeys {
    return (this.seenKeys ??= new SeenKeys(ctx.redis, `${String(ctx.config.get('REDIS_PREFIX'))}plugin:webhooks:seen:`, Number(ctx.config.get('WEBHOOK_SEEN_TTL_S'))));
  }

  async handle(entries: readonly StreamEntry[], ctx: StreamContext): Promise<StreamResult> {
    const failed: Record<string, unknown> = {};
    // Entries no later delivery can fix go to the dead-letter stream now: fields that do not parse, records the
    // platform cannot look up by id.
    const dead: Record<string, unknown> = {};
    const parsed: Array<{ entryId: string; event: StoredEvent }> = [];
    for (const entry of entries) {
      try {
        parsed.push({ entryId: entry.id, event: fromFields(entry.fields) });
      } catch (err) {
        dead[entry.id] = err;
      }
    }
    const seenBefore = await this.seen(ctx).seen([...new Set(parsed.map((p) => p.event.key))]);
    const fresh = parsed.filter((p) => !seenBefore.has(p.event.key));
    const db = await ctx.mongo();
    this.batcher ??= new DetailBatcher((shop) => detailSource(shop.platform), Number(ctx.config.get('WEBHOOK_DETAIL_WAIT_MS')));
    const deps = { db, details: this.batcher, historyLen: Number(ctx.config.get('WEBHOOK_STATUS_HISTORY')) };
    const shops = await resolveShops(db, fresh.map((p) => p.event), (p: MarketPlatform) => channelIdFor(ctx.config, p));
    const keyOf = new Map(fresh.map((p) => [p.entryId, p.event.key]));
    const applied: string[] = [];
    await Promise.all(groupEvents(fresh, (platform, shopId) => shopOf(shops, platform, shopId)).map(async (g) => {
      try {
        const r = await applyGroup(g, deps);
        for (const id of r.done) applied.push(keyOf.get(id)!);
        for (const [id, err] of r.failed) (isPermanent(err) ? dead : failed)[id] = err;
      } catch (err) {
        for (const ids of g.entries.values()) for (const id of ids) (isPermanent(err) ? dead : failed)[id] = err;
      }
    }));
    await this.seen(ctx).mark([...new Set(applied)]);
    return { failed, dead };
  }
}
