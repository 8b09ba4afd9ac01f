/**
 * Requests/s of GET /workers (auth + rate limit + Redis pipeline + MySQL last-execution query) and GET /health
 * (public, helmet headers) on the real API, against a bare Fastify route answering the same JSON as /health, in
 * the same run. autocannon runs in a worker thread so the load generator does not share the server's event loop.
 */
import 'reflect-metadata';
import Fastify from 'fastify';
import autocannon from 'autocannon';
import { Schedule, ScheduleWorker } from '../app';
import { buildApiApp } from '../app/core/api/app';
import { Container } from '../app/core/runtime/container';
import { buildRegistry } from '../app/core/registry/worker-registry';
import { declarationOf } from '../app/core/decorators/declarations';
import { dropIsolated, intArg, isolatedNames, REDIS_URL, report, round } from './support';

const SECONDS = intArg('seconds', 5);
const CONNECTIONS = intArg('connections', 20);
const TOKEN = 'bench-admin-token';

@Schedule({ id: 'bench-report', cron: '0 6 * * *', description: 'bench worker' })
class BenchReportWorker extends ScheduleWorker {
  run() {
    return null;
  }
}
@Schedule({ id: 'bench-sync', description: 'bench worker' })
class BenchSyncWorker extends ScheduleWorker {
  run() {
    return null;
  }
}

async function load(url: string, headers: Record<string, string> = {}): Promise<{ rps: number; p99Ms: number; non2xx: number }> {
  const r = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers, workers: 1 });
  return { rps: round(r.requests.average), p99Ms: r.latency.p99, non2xx: r.non2xx };
}

async function main(): Promise<void> {
  const names = isolatedNames('api');
  const env = { ...process.env, DATABASE_URL: names.databaseUrl, REDIS_URL, REDIS_PREFIX: names.prefix, LOG_LEVEL: 'warn', API_TOKENS: `bench:admin:${TOKEN}`, API_RATE_LIMIT_MAX: '100000000' };
  const registry = buildRegistry([BenchReportWorker, BenchSyncWorker].map((cls) => ({ decl: declarationOf(cls)!, file: __filename })), { timezone: 'UTC', timeoutMs: 60_000, attempts: 1, backoffMs: 1000 });
  const c = new Container({ role: 'bench-api', env, registry, console: false });
  const bare = Fastify({ logger: false });
  bare.get('/bare', async () => ({ status: 'ok', uptimeS: Math.round(process.uptime()) }));
  try {
    await c.init();
    await c.mirror.seedRegistry(registry);
    await c.mirror.syncDbToRedis(registry);
    await c.dispatcher.trigger('bench-sync', {});
    await c.recorder.drain();
    const app = await buildApiApp(c);
    const apiUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
    const check = await fetch(`${apiUrl}/workers`, { headers: { authorization: `Bearer ${TOKEN}` } });
    if (check.status !== 200) throw new Error(`GET /workers answered ${check.status}`);
    const bareRun = await load(`${bareUrl}/bare`);
    const health = await load(`${apiUrl}/health`);
    const workers = await load(`${apiUrl}/workers`, { authorization: `Bearer ${TOKEN}` });
    for (const [name, r] of Object.entries({ bareRun, health, workers })) if (r.non2xx) throw new Error(`${name}: ${r.non2xx} non-2xx answers`);
    await app.close();
    report({
      bench: 'api', seconds: SECONDS, connections: CONNECTIONS, workers_listed: registry.workers.size,
      bare_rps: bareRun.rps, health_rps: health.rps, workers_rps: workers.rps,
      bare_p99_ms: bareRun.p99Ms, health_p99_ms: health.p99Ms, workers_p99_ms: workers.p99Ms,
      health_vs_bare: round(health.rps / bareRun.rps, 2), workers_vs_bare: round(workers.rps / bareRun.rps, 2),
    });
  } finally {
    await bare.close();
    await c.close();
    await dropIsolated(names);
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
