/** TypeBox schemas of the push routes (Fastify validates them; a bad body gets 400 naming the field). */
import { Type, type Static } from '@sinclair/typebox';

const StringMap = Type.Record(Type.String({ minLength: 1, maxLength: 256 }), Type.String());

export const Notification = Type.Object({
  title: Type.Optional(Type.String({ maxLength: 1024 })),
  body: Type.Optional(Type.String({ maxLength: 4096 })),
  image: Type.Optional(Type.String({ pattern: '^https?://', maxLength: 2048, description: 'http(s) URL of an image' })),
}, { additionalProperties: false });

export const Android = Type.Object({
  priority: Type.Optional(Type.Union([Type.Literal('high'), Type.Literal('normal')])),
  ttl: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_419_200, description: 'Seconds FCM keeps the message for an offline device (at most 28 days)' })),
  collapseKey: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
}, { additionalProperties: false });

export const Apns = Type.Object({
  headers: Type.Optional(StringMap),
  payload: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
}, { additionalProperties: false });

const UserIds = Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { minItems: 1, description: 'Send to every active token of these users' });
const Tokens = Type.Array(Type.String({ minLength: 1, maxLength: 4096 }), { minItems: 1, description: 'Send to these device tokens' });

const MessageFields = {
  userIds: Type.Optional(UserIds),
  tokens: Type.Optional(Tokens),
  notification: Type.Optional(Notification),
  data: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Type.String(), { description: 'String values only (FCM)' })),
  android: Type.Optional(Android),
  apns: Type.Optional(Apns),
};

export const BulkMessage = Type.Object(MessageFields, { additionalProperties: false });
export type BulkMessage = Static<typeof BulkMessage>;

/** Either one message (`userIds | tokens` and its content) or `messages`, many distinct ones. */
export const SendBody = Type.Object({
  ...MessageFields,
  messages: Type.Optional(Type.Array(BulkMessage, { minItems: 1 })),
  dryRun: Type.Optional(Type.Boolean({ description: 'FCM validates each message (validate_only) without delivering it; tokens are not changed' })),
}, { additionalProperties: false });
export type SendBody = Static<typeof SendBody>;

export const TokenBody = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 4096 }),
  userId: Type.String({ minLength: 1, maxLength: 256 }),
  platform: Type.Union([Type.Literal('android'), Type.Literal('ios'), Type.Literal('web')]),
  app: Type.Optional(Type.String({ maxLength: 256 })),
  device: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 256 }), { maxProperties: 32 })),
}, { additionalProperties: false });
export type TokenBody = Static<typeof TokenBody>;

export const TokenView = Type.Object({
  token: Type.String(), userId: Type.String(), platform: Type.String(), app: Type.String(),
  device: Type.Record(Type.String(), Type.String()), active: Type.Boolean(), lastSeenAt: Type.String(), createdAt: Type.String(),
  deactivatedAt: Type.Union([Type.String(), Type.Null()]), deactivationReason: Type.Union([Type.String(), Type.Null()]),
});

export const Counts = Type.Object({
  queued: Type.Integer(), sent: Type.Integer(), failed: Type.Integer(), deactivated: Type.Integer(), retrying: Type.Integer(), noToken: Type.Integer(),
});

export const Outcome = Type.Object({
  token: Type.String(), userId: Type.Union([Type.String(), Type.Null()]), message: Type.Integer(), status: Type.String(), attempts: Type.Integer(),
  deactivated: Type.Boolean(), errorCode: Type.Union([Type.String(), Type.Null()]), error: Type.Union([Type.String(), Type.Null()]), at: Type.String(),
});

export const JobView = Type.Object({
  jobId: Type.String(), status: Type.String(), dryRun: Type.Boolean(), messages: Type.Integer(), targets: Type.Integer(),
  chunks: Type.Object({ total: Type.Integer(), done: Type.Integer() }), counts: Counts,
  createdAt: Type.String(), startedAt: Type.Union([Type.String(), Type.Null()]), finishedAt: Type.Union([Type.String(), Type.Null()]),
  durationMs: Type.Union([Type.Integer(), Type.Null()]), error: Type.Union([Type.String(), Type.Null()]),
  outcomes: Type.Array(Outcome), nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const JobQuery = Type.Object({
  status: Type.Optional(Type.Union([Type.Literal('sent'), Type.Literal('failed'), Type.Literal('retrying')])),
  cursor: Type.Optional(Type.String({ maxLength: 8192 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000 })),
});
