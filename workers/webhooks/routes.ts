/**
 * POST /webhooks/:platform (tiktok, shopee, lazada): signed platform pushes → the intake stream. Public (no token):
 * the signature is the caller check. 200 with an empty body once appended; refusals in the core's error shape.
 * Counted in /metrics as sluice_webhooks_requests_total{platform, reason}; /ready shows the backlog check.
 */
import type { FastifyBodyParser, FastifyReply, FastifyRequest } from 'fastify';
import type { PluginApi, PluginRoutes, PublicRoutes } from '../../app';
import { BacklogWatch, readBacklog } from './backlog';
import { errorBody, takePush, type IntakeOutcome, type IntakeSettings } from './intake';
import { PUSH_PLATFORMS } from './platforms';
import { StreamAppender } from './stream-appender';
import { CONSUMER_ID, platformSecrets, STREAM_KEY, streamMaxLen } from './settings';

function intakeSettings(api: PluginApi): IntakeSettings {
  return { secrets: platformSecrets(api.config), maxSkewS: Number(api.config.get('WEBHOOK_MAX_SKEW_S')) };
}

function watchBacklog(api: PluginApi, maxLen: number): { watch: BacklogWatch; timer: NodeJS.Timeout } {
  const watch = new BacklogWatch(() => readBacklog(api.redis, STREAM_KEY, CONSUMER_ID, maxLen), Number(api.config.get('WEBHOOK_BACKLOG_WARN_RATIO')), api.logger);
  api.metrics.gauge({ name: 'sluice_webhooks_backlog', help: 'Intake stream entries not yet acked by the consumer (at the last check)', collect() { if (watch.last) this.set(watch.last.backlog); } });
  api.readiness('backlog', async () => {
    const r = await watch.check();
    const warning = watch.warning(r);
    return warning ? { warning } : undefined;
  });
  const timer = setInterval(() => void watch.check().catch((err: unknown) => api.logger.error(`webhook backlog check failed: ${err instanceof Error ? err.message : String(err)}`)), Number(api.config.get('WEBHOOK_BACKLOG_CHECK_MS')));
  timer.unref();
  return { watch, timer };
}

export const publicRoutes: PublicRoutes = {
  prefix: '/webhooks',
  plugin: async (app, { api }) => {
    const settings = intakeSettings(api);
    const maxLen = streamMaxLen(api.config);
    const appender = new StreamAppender(api.redis, { key: STREAM_KEY, maxLen, maxBatch: Number(api.config.get('WEBHOOK_APPEND_BATCH_MAX')) });
    const append = (fields: readonly string[]) => appender.append(fields);
    const requests = api.metrics.counter({ name: 'sluice_webhooks_requests_total', help: 'Webhook pushes by platform and outcome (accepted, ignored, or the refusal reason)', labelNames: ['platform', 'reason'] });
    const { timer } = watchBacklog(api, maxLen);
    app.addHook('onClose', async () => clearInterval(timer));
    // The body is read here as bytes (within WEBHOOK_MAX_BODY_BYTES) and checked before it is parsed.
    app.removeAllContentTypeParsers();
    const keepRaw: FastifyBodyParser<Buffer> = (req, body, done) => {
      req.rawBody = body;
      done(null, body);
    };
    const bodyLimit = Number(api.config.get('WEBHOOK_MAX_BODY_BYTES'));
    // application/json by name as well: Fastify caches the parser it finds for a content type, but not the catch-all.
    app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, keepRaw);
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, keepRaw);
    app.addHook('onError', async (req, _reply, err) => {
      const platform = (req.params as { platform?: string }).platform ?? 'unknown';
      const code = (err as { code?: string }).code;
      requests.inc({ platform: platform in PUSH_PLATFORMS ? platform : 'unknown', reason: code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'too_large' : 'error' });
    });
    // Platforms push from a handful of addresses, so a per-address limit throttles them first; the signature check
    // is the guard (an unsigned flood costs one HMAC per request and writes nothing). WEBHOOK_RATE_LIMIT_MAX > 0
    // puts a per-address limit back (per PUBLIC_RATE_LIMIT_WINDOW_MS).
    const rateMax = Number(api.config.get('WEBHOOK_RATE_LIMIT_MAX'));
    app.post('/:platform', {
      config: { rateLimit: rateMax > 0 ? { max: rateMax } : false },
      schema: {
        tags: ['webhooks'], summary: 'A signed push from TikTok Shop, Shopee or Lazada (200 with an empty body once queued)',
        params: { type: 'object', properties: { platform: { type: 'string', enum: Object.keys(PUSH_PLATFORMS) } }, required: ['platform'] },
      },
    }, async (req: FastifyRequest, reply: FastifyReply) => {
      const platform = PUSH_PLATFORMS[(req.params as { platform: keyof typeof PUSH_PLATFORMS }).platform];
      let outcome: IntakeOutcome;
      try {
        outcome = await takePush(append, platform, settings, { contentType: req.headers['content-type'], raw: req.rawBody ?? Buffer.alloc(0), signature: req.headers[platform.header] });
      } catch (err) {
        api.logger.error(`webhook ${platform.name}: appending the push failed: ${err instanceof Error ? err.message : String(err)}`);
        outcome = { status: 500, reason: 'append_failed', error: { code: 'SLUICE_INTERNAL', message: 'internal error' } };
      }
      requests.inc({ platform: platform.name, reason: outcome.reason });
      if (outcome.error) return reply.code(outcome.status).send(errorBody(outcome));
      return reply.code(outcome.status).send();
    });
  },
};

/** GET /plugins/webhooks/status (token): the intake stream's bound, length and backlog now. */
const controlRoutes: PluginRoutes = async (app, { api }) => {
  app.get('/status', { schema: { tags: ['webhooks'], summary: 'Intake stream bound, length and backlog (entries not yet acked by webhook-events)' } }, async () => {
    const maxLen = streamMaxLen(api.config);
    const r = await readBacklog(api.redis, STREAM_KEY, CONSUMER_ID, maxLen);
    return { stream: STREAM_KEY, consumer: CONSUMER_ID, maxLen, length: r.length, backlog: r.backlog, backlogRatio: maxLen ? r.backlog / maxLen : 0 };
  });
};
export default controlRoutes;
