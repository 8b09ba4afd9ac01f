/** Params of the plugin's tasks (TypeBox: checked when a job is enqueued and when it runs). */
import { Type, type Static } from '@sinclair/typebox';

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });
export const PlatformParam = Type.Union([Type.Literal('tiktok'), Type.Literal('shopee'), Type.Literal('lazada')]);

export const SyncParams = Type.Object({
  syncId: Type.String({ minLength: 1, maxLength: 100 }),
  platform: Type.Optional(PlatformParam),
  shopIds: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 1000 })),
  from: Day,
  to: Day,
}, { additionalProperties: false });
export type SyncParams = Static<typeof SyncParams>;

export const ChunkParams = Type.Object({ chunkId: Type.String({ minLength: 1, maxLength: 400 }) }, { additionalProperties: false });
export type ChunkParams = Static<typeof ChunkParams>;
