/** Control routes of the balance plugin, mounted at /plugins/balance. */
import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { PluginRoutes } from '../../app';
import { isIsoDate } from './dates';
import { jobView, JobView } from './job-view';
import { batchesIn, createJob, findJob, listJobs } from './jobs.repository';
import { ensureLedger } from './migrate';
import { applyStatusEvent } from './status.service';
import { TASK } from './task-ids';
import './ledger.database';

const DateString = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });
/** Same shape as the core's error body, plus the job a conflict is about. */
const Problem = Type.Object({
  statusCode: Type.Integer(), code: Type.String(), error: Type.String(), message: Type.String(),
  field: Type.Optional(Type.String()), jobId: Type.Optional(Type.Integer()),
});
const JobIdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const FAILED_SHOWN = 1_000;

const PROBLEMS = {
  BALANCE_INVALID_DATE: { statusCode: 400, error: 'Bad Request' },
  BALANCE_JOB_NOT_FOUND: { statusCode: 404, error: 'Not Found' },
  BALANCE_JOB_ACTIVE: { statusCode: 409, error: 'Conflict' },
  BALANCE_NOTHING_TO_RETRY: { statusCode: 409, error: 'Conflict' },
} as const;

function problem(reply: FastifyReply, code: keyof typeof PROBLEMS, message: string, extra: { field?: string; jobId?: number } = {}): FastifyReply {
  const { statusCode, error } = PROBLEMS[code];
  return reply.code(statusCode).send({ statusCode, code, error, message, ...extra });
}

const routes: PluginRoutes = async (app, { api }) => {
  app.post('/jobs', {
    schema: {
      tags: ['balance'], summary: 'Summarise every account for a day (202: the job is queued)',
      body: Type.Object({ date: DateString }, { additionalProperties: false }),
      response: { 202: Type.Object({ jobId: Type.Integer(), date: Type.String(), status: Type.String() }), 400: Problem, 409: Problem },
    },
  }, async (req, reply) => {
    const { date } = req.body as { date: string };
    if (!isIsoDate(date)) return problem(reply, 'BALANCE_INVALID_DATE', `body/date: ${date} is not a calendar date`, { field: 'body/date' });
    const pool = await ensureLedger();
    const [open] = (await pool.query(`SELECT id, status FROM balance_job WHERE balance_date = ? AND status IN ('queued', 'running') ORDER BY id LIMIT 1`, [date])) as unknown as [Array<{ id: number; status: string }>];
    if (open[0]) return problem(reply, 'BALANCE_JOB_ACTIVE', `balance job ${open[0].id} for ${date} is already ${open[0].status}`, { jobId: Number(open[0].id) });
    const jobId = await createJob(pool, `api:${randomUUID()}`, date);
    await api.trigger(TASK.scan, { date, jobId });
    return reply.code(202).send({ jobId, date, status: 'queued' });
  });

  app.get('/jobs/:id', {
    schema: { tags: ['balance'], summary: 'A balance job: status, batch counts, accounts, duration, failed ranges', params: JobIdParams, response: { 200: JobView, 404: Problem } },
  }, async (req, reply) => {
    const { id } = req.params as { id: number };
    const pool = await ensureLedger();
    const job = await findJob(pool, id);
    if (!job) return problem(reply, 'BALANCE_JOB_NOT_FOUND', `balance job ${id} does not exist`);
    return jobView(job, await batchesIn(pool, id, 'failed', FAILED_SHOWN));
  });

  app.get('/jobs', {
    schema: {
      tags: ['balance'], summary: 'Balance jobs, newest first',
      querystring: Type.Object({ date: Type.Optional(DateString), limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }) }),
      response: { 200: Type.Object({ jobs: Type.Array(JobView) }), 400: Problem },
    },
  }, async (req) => {
    const { date, limit } = req.query as { date?: string; limit: number };
    const jobs = await listJobs(await ensureLedger(), date, limit);
    return { jobs: jobs.map((j) => jobView(j)) };
  });

  app.post('/jobs/:id/retry-failed', {
    schema: {
      tags: ['balance'], summary: 'Run the failed batches of a job again (202)', params: JobIdParams,
      response: { 202: Type.Object({ jobId: Type.Integer(), batches: Type.Integer() }), 404: Problem, 409: Problem },
    },
  }, async (req, reply) => {
    const { id } = req.params as { id: number };
    const pool = await ensureLedger();
    const job = await findJob(pool, id);
    if (!job) return problem(reply, 'BALANCE_JOB_NOT_FOUND', `balance job ${id} does not exist`);
    const failed = await batchesIn(pool, id, 'failed', Number.MAX_SAFE_INTEGER);
    if (!failed.length) return problem(reply, 'BALANCE_NOTHING_TO_RETRY', `balance job ${id} has no failed batch (status ${job.status})`, { jobId: id });
    // Reopen now (failed batches back to pending, job running) so the caller sees the retry at once; the status task
    // then sends those batches to aggregate again (and would reopen the job itself if this call died halfway).
    await applyStatusEvent(pool, { kind: 'retry', jobId: id });
    await api.trigger(TASK.status, { kind: 'retry', jobId: id });
    return reply.code(202).send({ jobId: id, batches: failed.length });
  });
};

export default routes;
