/** What the routes show of syncs and chunks (camelCase, no internal fields). */
import { Type } from '@sinclair/typebox';
import type { ChunkDoc, SyncDoc } from './sync-log';

const Loose = { additionalProperties: true } as const;
const Counts = Type.Record(Type.String(), Type.Record(Type.String(), Type.Integer()));

export const ChunkView = Type.Object({
  chunkId: Type.String(), shop: Type.String(), platform: Type.String(), from: Type.String(), to: Type.String(), status: Type.String(), runs: Type.Integer(),
  counts: Counts, apiCalls: Type.Record(Type.String(), Type.Integer()), retries: Type.Integer(), rateLimited: Type.Integer(), tokenRefreshes: Type.Integer(),
  bufferedBatches: Type.Integer(), error: Type.Union([Type.String(), Type.Null()]), durationMs: Type.Union([Type.Integer(), Type.Null()]),
}, Loose);

export const SyncView = Type.Object({
  syncId: Type.String(), status: Type.String(), trigger: Type.String(), platform: Type.Union([Type.String(), Type.Null()]), shopIds: Type.Array(Type.String()),
  from: Type.String(), to: Type.String(),
  chunks: Type.Object({ total: Type.Integer(), succeeded: Type.Integer(), failed: Type.Integer(), pending: Type.Integer() }),
  counts: Counts, apiCalls: Type.Record(Type.String(), Type.Integer()), retries: Type.Integer(), rateLimited: Type.Integer(), tokenRefreshes: Type.Integer(),
  buffer: Type.Record(Type.String(), Type.Integer()), problemDays: Type.Object({ buffered: Type.Array(Type.String()), failed: Type.Array(Type.String()) }),
  errors: Type.Array(Type.String()), createdAt: Type.String(), finishedAt: Type.Union([Type.String(), Type.Null()]), durationMs: Type.Union([Type.Integer(), Type.Null()]),
  chunkList: Type.Optional(Type.Array(ChunkView)),
}, Loose);

export function chunkView(c: ChunkDoc): Record<string, unknown> {
  return {
    chunkId: c._id, shop: c.shop, platform: c.platform, from: c.from, to: c.to, status: c.status, runs: c.runs, counts: c.counts, apiCalls: c.api_calls,
    retries: c.retries, rateLimited: c.rate_limited, tokenRefreshes: c.token_refreshes, bufferedBatches: c.buffered_batches, error: c.error, durationMs: c.duration_ms,
  };
}

export function syncView(s: SyncDoc, chunks?: ChunkDoc[]): Record<string, unknown> {
  return {
    syncId: s._id, status: s.status, trigger: s.trigger, platform: s.platform, shopIds: s.shop_ids, from: s.from, to: s.to,
    chunks: { total: s.chunks_total, succeeded: s.chunks_succeeded, failed: s.chunks_failed, pending: s.chunks_total - s.chunks_succeeded - s.chunks_failed },
    counts: s.counts, apiCalls: s.api_calls, retries: s.retries, rateLimited: s.rate_limited, tokenRefreshes: s.token_refreshes, buffer: s.buffer,
    problemDays: { buffered: [...s.problem_days.buffered].sort(), failed: [...s.problem_days.failed].sort() }, errors: s.errors,
    createdAt: s.created_at, finishedAt: s.finished_at, durationMs: s.duration_ms, ...(chunks ? { chunkList: chunks.map(chunkView) } : {}),
  };
}
