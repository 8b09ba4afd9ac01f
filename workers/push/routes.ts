/** Routes of the push plugin, mounted at /plugins/push behind the API token. */
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import type { PluginApi, PluginRoutes } from '../../app';
import { jobView, tokenView } from './job-view';
import { createJob, failJob } from './jobs.repository';
import { normalizeSend } from './send-request';
import { pushSettings } from './settings';
import { JobQuery, JobView, SendBody, TokenBody, TokenView, type TokenBody as TokenBodyT, type SendBody as SendBodyT } from './schemas';
import { pushStore, type LogStatus, type PushStore } from './store';
import { TASK } from './task-ids';
import { registerToken, removeToken, tokensOfUser } from './tokens.repository';

const Problem = Type.Object({ statusCode: Type.Integer(), code: Type.String(), error: Type.String(), message: Type.String(), field: Type.Optional(Type.String()) });

function notFound(reply: FastifyReply, code: string, message: string): FastifyReply {
  return reply.code(404).send({ statusCode: 404, code, error: 'Not Found', message });
}

/** The plugin's data lives in MongoDB: without it the routes answer 503 in the API's error shape. */
class PushStoreUnavailable extends Error {
  readonly statusCode = 503;
  readonly code = 'SLUICE_PUSH_STORE_UNAVAILABLE';
}

async function storeOf(api: PluginApi): Promise<PushStore> {
  try {
    return await pushStore(await api.mongo());
  } catch (err) {
    api.logger.error(`push: MongoDB unavailable: ${err instanceof Error ? err.message : String(err)}`);
    throw new PushStoreUnavailable('the push plugin keeps its tokens and jobs in MongoDB, which is not configured (MONGO_URL) or not reachable');
  }
}

/** 202 at once: one job document and one queued task; tokens are looked up by the send tasks. */
async function submit(api: PluginApi, body: SendBodyT): Promise<string> {
  const s = pushSettings(api.config);
  const { messages, targetLists, dryRun } = normalizeSend(body, s);
  const store = await storeOf(api);
  const job = await createJob(store, messages, targetLists, dryRun);
  try {
    await api.trigger(TASK.job, { jobId: job._id });
  } catch (err) {
    await failJob(store, job._id, `could not queue the job: ${err instanceof Error ? err.message : String(err)}`);
    throw err;
  }
  return job._id;
}

const routes: PluginRoutes = async (app, { api }) => {
  app.post('/send', {
    schema: { tags: ['push'], summary: 'Send a push (or many distinct ones) to users or tokens: 202 with the job id', body: SendBody, response: { 202: Type.Object({ jobId: Type.String() }), 400: Problem } },
  }, async (req, reply) => reply.code(202).send({ jobId: await submit(api, req.body as SendBodyT) }));

  app.get('/jobs/:id', {
    schema: { tags: ['push'], summary: 'A push job: status, exact counts, duration, per-token outcomes (cursor-paginated)', params: Type.Object({ id: Type.String({ maxLength: 64 }) }), querystring: JobQuery, response: { 200: JobView, 404: Problem, 503: Problem } },
  }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const q = req.query as { status?: LogStatus; cursor?: string; limit?: number };
    const view = await jobView(await storeOf(api), id, { status: q.status, cursor: q.cursor, limit: q.limit ?? pushSettings(api.config).outcomesPage });
    return view ?? notFound(reply, 'SLUICE_PUSH_JOB_NOT_FOUND', `push job ${id} does not exist`);
  });

  app.post('/tokens', {
    schema: { tags: ['push'], summary: 'Register or refresh a device token (one document per token; moved to the new user)', body: TokenBody, response: { 200: Type.Object({ created: Type.Boolean(), movedFrom: Type.Optional(Type.String()), token: TokenView }), 400: Problem } },
  }, async (req) => {
    const r = await registerToken(await storeOf(api), req.body as TokenBodyT);
    return { created: r.created, ...(r.movedFrom ? { movedFrom: r.movedFrom } : {}), token: tokenView(r.token) };
  });

  app.delete('/tokens/:token', {
    schema: { tags: ['push'], summary: 'Remove a device token', params: Type.Object({ token: Type.String({ minLength: 1, maxLength: 4096 }) }), response: { 204: Type.Null(), 404: Problem } },
  }, async (req, reply) => {
    const { token } = req.params as { token: string };
    if (!(await removeToken(await storeOf(api), token))) return notFound(reply, 'SLUICE_PUSH_TOKEN_NOT_FOUND', 'no such device token');
    return reply.code(204).send();
  });

  app.get('/users/:userId/tokens', {
    schema: {
      tags: ['push'], summary: "A user's device tokens (active only unless includeInactive)", params: Type.Object({ userId: Type.String({ minLength: 1, maxLength: 256 }) }),
      querystring: Type.Object({ includeInactive: Type.Optional(Type.Boolean()) }), response: { 200: Type.Object({ tokens: Type.Array(TokenView) }) },
    },
  }, async (req) => {
    const { userId } = req.params as { userId: string };
    const { includeInactive } = req.query as { includeInactive?: boolean };
    return { tokens: (await tokensOfUser(await storeOf(api), userId, includeInactive === true)).map(tokenView) };
  });
};

export default routes;
