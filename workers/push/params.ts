/** TypeBox schemas of the push tasks' params: ids only (messages and targets stay in MongoDB). */
import { Type, type Static } from '@sinclair/typebox';

const JobId = Type.String({ minLength: 1, maxLength: 64 });

export const JobParams = Type.Object({ jobId: JobId });
export type JobParams = Static<typeof JobParams>;

export const ChunkParams = Type.Object({ jobId: JobId, chunk: Type.Integer({ minimum: 0 }) });
export type ChunkParams = Static<typeof ChunkParams>;
