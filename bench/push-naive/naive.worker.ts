/**
 * The reference for `npm run bench -- push`: the seed's old shape, one job per push request — insert a log, find
 * the user's tokens, send (one FCM v1 request per token, in parallel), update the log. Bench-only (not under
 * workers/): the bench points WORKERS_DIR here for the naive worker process.
 */
import { Schedule, ScheduleWorker, type RunContext } from '../../app';
import { FcmClient, parseServiceAccount } from '../../plugins/fcm';

let client: FcmClient | null = null;

function fcm(ctx: RunContext): FcmClient {
  client ??= new FcmClient({ account: parseServiceAccount(String(ctx.config.get('FCM_SERVICE_ACCOUNT'))), baseUrl: String(ctx.config.get('FCM_BASE_URL')) });
  return client;
}

@Schedule({ id: 'push-naive', description: 'Bench: one job per push (the naive shape)', concurrency: Number(process.env.PUSH_NAIVE_CONCURRENCY ?? 100), attempts: 1 })
export class PushNaiveWorker extends ScheduleWorker<{ jobId: string; userId: string }> {
  async run(ctx: RunContext<{ jobId: string; userId: string }>): Promise<{ sent: number }> {
    const db = await ctx.mongo();
    const { jobId, userId } = ctx.params;
    const log = await db.collection('naive_logs').insertOne({ jobId, userId, status: 'queued', at: new Date() });
    const tokens = await db.collection('push_tokens').find({ userId, active: true }, { projection: { _id: 1 } }).toArray();
    const outcomes = await Promise.all(tokens.map((t) => fcm(ctx).send({ token: String(t._id), notification: { title: 'Bench', body: 'naive' } })));
    const sent = outcomes.filter((o) => o.kind === 'sent').length;
    await db.collection('naive_logs').updateOne({ _id: log.insertedId }, { $set: { status: 'done', sent, tokens: tokens.length, outcomes: outcomes.map((o) => o.kind) } });
    return { sent };
  }
}
