/**
 * Requests/s of the resources plugin's two hot answers through the real API (auth, Redis rate limit, helmet, the
 * plugin's version check): a 304 revalidation of the 5,000-row staff dataset and its gzip 200, each next to a bare
 * Fastify route returning the same cached bytes (and the same 304 rule) in the same run, in alternating rounds.
 * A third column mounts the same plugin routes on a bare Fastify (no core auth, rate limit or helmet), to tell the
 * plugin's own cost from the API's. autocannon runs in a worker thread so the load generator does not share the
 * server's event loop.
 */
import 'reflect-metadata';
import Fastify from 'fastify';
import autocannon from 'autocannon';
import { buildApiApp } from '../app/core/api/app';
import { Container } from '../app/core/runtime/container';
import { buildRegistry } from '../app/core/registry/worker-registry';
import { declarationOf } from '../app/core/decorators/declarations';
import { ResourcesDb } from '../workers/resources/resources.database';
import { ensureResourcesDb } from '../workers/resources/migrate';
import { seedExamples } from '../workers/resources/examples.seed';
import resourceRoutes from '../workers/resources/routes';
import { pluginApis } from '../app/core/plugins';
import { dropIsolated, intArg, isolatedNames, MYSQL_ROOT, REDIS_URL, report, round } from './support';
import mysql from 'mysql2/promise';

const SECONDS = intArg('seconds', 5);
const CONNECTIONS = intArg('connections', 20);
const ROUNDS = intArg('rounds', 2);
const TOKEN = 'bench-admin-token';

interface Load { rps: number; p99Ms: number; wrong: number }

async function load(url: string, headers: Record<string, string>, status: 200 | 304): Promise<Load> {
  const r = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers, workers: 1 });
  const wanted = status === 200 ? r['2xx'] : r['3xx'];
  return { rps: r.requests.average, p99Ms: r.latency.p99, wrong: r.requests.total - wanted };
}

/** Best of the rounds (the figure least disturbed by the other sessions on the machine). */
function best(runs: Load[]): Load {
  return runs.reduce((a, b) => (b.rps > a.rps ? b : a));
}

async function main(): Promise<void> {
  const names = isolatedNames('res');
  const resourcesDb = `${names.database}_resources`;
  const env = {
    ...process.env, DATABASE_URL: names.databaseUrl, REDIS_URL, REDIS_PREFIX: names.prefix, LOG_LEVEL: 'warn',
    API_TOKENS: `bench:admin:${TOKEN}`, API_RATE_LIMIT_MAX: '100000000', RESOURCES_DB_URL: `${MYSQL_ROOT}/${resourcesDb}`,
  };
  const registry = buildRegistry([{ decl: declarationOf(ResourcesDb)!, file: __filename }], { timezone: 'UTC', timeoutMs: 60_000, attempts: 1, backoffMs: 1000 });
  const c = new Container({ role: 'bench-resources', env, registry, console: false });
  const bare = Fastify({ logger: false });
  const plain = Fastify({ logger: false });
  try {
    await c.init();
    await seedExamples(await ensureResourcesDb());
    const app = await buildApiApp(c);
    const apiUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    const auth = { authorization: `Bearer ${TOKEN}` };
    const table = await fetch(`${apiUrl}/plugins/resources`, { headers: auth });
    if (table.status !== 200) throw new Error(`GET /plugins/resources answered ${table.status}: are the plugin routes mounted?`);
    const staff = ((await table.json()) as Array<{ name: string; version: number; rows: number; bytes: number }>).find((r) => r.name === 'staff')!;
    const url = `${apiUrl}/plugins/resources/staff/fulldata?v=${staff.version}`;
    const first = await app.inject({ method: 'GET', url: `/plugins/resources/staff/fulldata?v=${staff.version}`, headers: { ...auth, 'accept-encoding': 'gzip' } });
    if (first.statusCode !== 200 || first.headers['content-encoding'] !== 'gzip') throw new Error(`fulldata answered ${first.statusCode} ${String(first.headers['content-encoding'])}`);
    const body = first.rawPayload;
    const etag = String(first.headers.etag);
    bare.get('/bare', async (req, reply) => {
      reply.header('etag', etag).header('cache-control', 'public, max-age=31536000, immutable').header('vary', 'accept-encoding');
      if (req.headers['if-none-match'] === etag) return reply.code(304).send();
      return reply.type('application/json; charset=utf-8').header('content-encoding', 'gzip').send(body);
    });
    const bareUrl = `${await bare.listen({ host: '127.0.0.1', port: 0 })}/bare`;
    await plain.register(resourceRoutes, { prefix: '/plugins/resources', api: pluginApis(c).get('resources') });
    const plainUrl = `${await plain.listen({ host: '127.0.0.1', port: 0 })}/plugins/resources/staff/fulldata?v=${staff.version}`;

    const runs = { bare304: [] as Load[], api304: [] as Load[], plain304: [] as Load[], bare200: [] as Load[], api200: [] as Load[], plain200: [] as Load[] };
    for (let i = 0; i < ROUNDS; i++) {
      runs.bare304.push(await load(bareUrl, { 'if-none-match': etag }, 304));
      runs.api304.push(await load(url, { ...auth, 'if-none-match': etag }, 304));
      runs.plain304.push(await load(plainUrl, { 'if-none-match': etag }, 304));
      runs.bare200.push(await load(bareUrl, { 'accept-encoding': 'gzip' }, 200));
      runs.api200.push(await load(url, { ...auth, 'accept-encoding': 'gzip' }, 200));
      runs.plain200.push(await load(plainUrl, { 'accept-encoding': 'gzip' }, 200));
    }
    for (const [name, list] of Object.entries(runs)) for (const r of list) if (r.wrong) throw new Error(`${name}: ${r.wrong} answers with another status`);
    await app.close();
    const [b304, a304, p304, b200, a200, p200] = [best(runs.bare304), best(runs.api304), best(runs.plain304), best(runs.bare200), best(runs.api200), best(runs.plain200)];
    report({
      bench: 'resources', seconds: SECONDS, connections: CONNECTIONS, rounds: ROUNDS, rows: staff.rows, json_bytes: staff.bytes, gzip_bytes: body.length,
      revalidate_304_rps: round(a304.rps), revalidate_304_bare_rps: round(b304.rps), revalidate_304_vs_bare: round(a304.rps / b304.rps, 2),
      gzip_200_rps: round(a200.rps), gzip_200_bare_rps: round(b200.rps), gzip_200_vs_bare: round(a200.rps / b200.rps, 2),
      plugin_only_304_vs_bare: round(p304.rps / b304.rps, 2), plugin_only_200_vs_bare: round(p200.rps / b200.rps, 2),
      revalidate_304_p99_ms: a304.p99Ms, gzip_200_p99_ms: a200.p99Ms, target_ratio: 0.5,
    });
  } finally {
    await bare.close();
    await plain.close();
    await ResourcesDb.close();
    await c.close();
    await dropIsolated(names);
    const conn = await mysql.createConnection(MYSQL_ROOT);
    await conn.query(`DROP DATABASE IF EXISTS \`${resourcesDb}\``);
    await conn.end();
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
