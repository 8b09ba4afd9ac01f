/** Execution ids: UUIDv7 layout (48-bit ms timestamp first), so ids sort by creation time for cursor paging. */
import { createHash, randomBytes } from 'node:crypto';

function format(bytes: Buffer, ms: number): string {
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export function newExecutionId(at: Date = new Date()): string {
  return format(randomBytes(16), at.getTime());
}

/** The same (jobId, at) always gives the same id, so two processes enqueueing one cron fire write one row. */
export function deterministicExecutionId(jobId: string, at: Date): string {
  return format(createHash('sha256').update(jobId).digest().subarray(0, 16), at.getTime());
}
