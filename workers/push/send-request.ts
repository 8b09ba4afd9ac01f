/**
 * A send request as the route received it → the job's messages and deduplicated targets, with the checks JSON
 * Schema cannot make (one target kind per message, content present, string data, 4 KB, overall target limit).
 * No per-push work: targets are only counted and deduplicated; tokens are looked up by the send tasks.
 */
import { checkMessage, PushInputError, type PushMessageInput } from './message';
import type { BulkMessage, SendBody } from './schemas';
import type { JobTargets } from './store';

export interface NormalizedSend {
  messages: PushMessageInput[];
  targetLists: JobTargets[];
  dryRun: boolean;
}

function one(m: BulkMessage, at: string): { message: PushMessageInput; targets: JobTargets } {
  if (m.userIds && m.tokens) throw new PushInputError(`${at}: give userIds or tokens, not both`, `${at}/tokens`);
  if (!m.userIds && !m.tokens) throw new PushInputError(`${at}/userIds is required (or tokens)`, `${at}/userIds`);
  if (!m.notification && !m.data) throw new PushInputError(`${at}/notification is required (or data): a message needs content`, `${at}/notification`);
  const message: PushMessageInput = {};
  if (m.notification) message.notification = m.notification;
  if (m.data) message.data = m.data;
  if (m.android) message.android = m.android;
  if (m.apns) message.apns = m.apns;
  checkMessage(message, at);
  const targets: JobTargets = m.userIds ? { userIds: [...new Set(m.userIds)] } : { tokens: [...new Set(m.tokens)] };
  return { message, targets };
}

export function normalizeSend(body: SendBody, limits: { maxTargets: number; maxMessages: number }): NormalizedSend {
  const { messages: bulk, dryRun, ...single } = body;
  const singleGiven = Object.values(single).some((v) => v !== undefined);
  if (bulk && singleGiven) throw new PushInputError('body: give one message (userIds | tokens, notification, …) or messages, not both', 'body/messages');
  if (bulk && bulk.length > limits.maxMessages) throw new PushInputError(`body/messages holds ${bulk.length} messages; at most ${limits.maxMessages} (PUSH_MAX_MESSAGES) per request`, 'body/messages');
  const parts = bulk ? bulk.map((m, i) => one(m, `body/messages/${i}`)) : [one(single, 'body')];
  const total = parts.reduce((n, p) => n + (p.targets.userIds?.length ?? p.targets.tokens?.length ?? 0), 0);
  if (total > limits.maxTargets) throw new PushInputError(`the request names ${total} targets; at most ${limits.maxTargets} (PUSH_MAX_TARGETS): split it`, bulk ? 'body/messages' : single.userIds ? 'body/userIds' : 'body/tokens');
  return { messages: parts.map((p) => p.message), targetLists: parts.map((p) => p.targets), dryRun: dryRun === true };
}
