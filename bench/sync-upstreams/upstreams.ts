/**
 * What bench/sync talks to, each in a process of its own as in production: the three marketplace fakes (remote
 * services) and the MongoDB test server (a database server). In the bench's process they shared the worker's event
 * loop, so a stall of the worker (GC, a bulk write's parsing) also held back the fakes' reading of requests that
 * had already left on time: a fake then counted them in a later clock second than a platform would, and the
 * worker's seconds in which a fake or MongoDB was busy were lost to the sync although no platform would have cost
 * them. `--upstreams inline` keeps the old arrangement for comparison.
 *
 * This file is run as a child (`fork`) with `fakes <spec json>` or `mongo`, and imported by the bench for the
 * parent's side.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { startMarketplaceFakes, type FakeMarketplace, type MarketplaceFakes, type ShopSpec } from '../../test/fakes/marketplaces';
import { MongoTestServer } from '../../plugins/mongo/server';
import type { PlatformName } from '../../workers/marketplace/platforms/types';

export const PLATFORMS: PlatformName[] = ['tiktok', 'shopee', 'lazada'];

export type FakesSpec = Record<PlatformName, ShopSpec[]>;

export interface ShopAccess {
  cipher: string;
  accessToken: string;
  refreshToken: string;
}

export interface Window {
  window: number;
  count: number;
}

/** What the bench reads from a fake once the sync is over. */
export interface FakeFigures {
  requests: number;
  violations: number;
  /** Every clock second of each API that was called (keyed by route path). */
  windows: Record<string, Window[]>;
  violationsByPath: Record<string, number>;
}

export interface Upstreams {
  urls: Record<PlatformName, string>;
  shops: Record<PlatformName, Record<string, ShopAccess>>;
  mongoUri: string;
  figures(): Promise<Record<PlatformName, FakeFigures>>;
  close(): Promise<void>;
}

function accessOf(fake: FakeMarketplace): Record<string, ShopAccess> {
  return Object.fromEntries([...fake.shops].map(([id, s]) => [id, { cipher: s.cipher, accessToken: s.accessToken, refreshToken: s.refreshToken }]));
}

function figuresOf(fakes: MarketplaceFakes): Record<PlatformName, FakeFigures> {
  const out = {} as Record<PlatformName, FakeFigures>;
  for (const p of PLATFORMS) {
    const f = fakes[p];
    const paths = [...f.stats.keys()];
    out[p] = {
      requests: f.requests(), violations: f.totalViolations(),
      windows: Object.fromEntries(paths.map((path) => [path, f.windowsOf(path)])),
      violationsByPath: Object.fromEntries([...f.stats].filter(([, s]) => s.violations).map(([path, s]) => [path, s.violations])),
    };
  }
  return out;
}

function startFakes(spec: FakesSpec): Promise<MarketplaceFakes> {
  return startMarketplaceFakes({ tiktok: { shops: spec.tiktok }, shopee: { shops: spec.shopee }, lazada: { shops: spec.lazada } });
}

/** The fakes and MongoDB in this process (the bench's former arrangement). */
async function inline(spec: FakesSpec): Promise<Upstreams> {
  const fakes = await startFakes(spec);
  const mongo = await MongoTestServer.start();
  return {
    urls: { tiktok: fakes.tiktok.url, shopee: fakes.shopee.url, lazada: fakes.lazada.url },
    shops: { tiktok: accessOf(fakes.tiktok), shopee: accessOf(fakes.shopee), lazada: accessOf(fakes.lazada) },
    mongoUri: mongo.uri,
    figures: async () => figuresOf(fakes),
    close: async () => {
      await mongo.stop();
      await fakes.close();
    },
  };
}

interface Reply {
  type: string;
  id?: number;
  [k: string]: unknown;
}

/** A forked child answering numbered requests over IPC. */
class Child {
  private readonly waiting = new Map<number, (m: Reply) => void>();
  private seq = 0;

  private constructor(private readonly proc: ChildProcess, readonly ready: Reply) {
    proc.on('message', (m: Reply) => {
      if (m.id === undefined) return;
      this.waiting.get(m.id)?.(m);
      this.waiting.delete(m.id);
    });
  }

  static start(args: string[]): Promise<Child> {
    const proc = fork(__filename, args, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new Promise((resolve, reject) => {
      proc.once('message', (m: Reply) => resolve(new Child(proc, m)));
      proc.once('exit', (code) => reject(new Error(`bench upstream ${args[0]} exited with ${code} before it was ready`)));
    });
  }

  ask(type: string): Promise<Reply> {
    const id = ++this.seq;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.proc.send({ type, id });
    });
  }

  async close(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.send({ type: 'close' });
    await exited;
  }
}

async function children(spec: FakesSpec): Promise<Upstreams> {
  const [fakes, mongo] = await Promise.all([Child.start(['fakes', JSON.stringify(spec)]), Child.start(['mongo'])]);
  return {
    urls: fakes.ready.urls as Upstreams['urls'],
    shops: fakes.ready.shops as Upstreams['shops'],
    mongoUri: mongo.ready.uri as string,
    figures: async () => (await fakes.ask('figures')).figures as Record<PlatformName, FakeFigures>,
    close: async () => void (await Promise.all([fakes.close(), mongo.close()])),
  };
}

export function startUpstreams(spec: FakesSpec, where: 'children' | 'inline'): Promise<Upstreams> {
  return where === 'inline' ? inline(spec) : children(spec);
}

/** The child's side: serve until told to close, answering the parent's requests. */
async function serveChild(kind: string, arg: string | undefined): Promise<void> {
  const send = (m: Reply): void => void process.send!(m);
  if (kind === 'fakes') {
    const fakes = await startFakes(JSON.parse(arg!) as FakesSpec);
    process.on('message', (m: Reply) => {
      if (m.type === 'close') void fakes.close().then(() => process.exit(0));
      else if (m.type === 'figures') send({ type: 'figures', id: m.id, figures: figuresOf(fakes) });
    });
    send({ type: 'ready', urls: { tiktok: fakes.tiktok.url, shopee: fakes.shopee.url, lazada: fakes.lazada.url }, shops: { tiktok: accessOf(fakes.tiktok), shopee: accessOf(fakes.shopee), lazada: accessOf(fakes.lazada) } });
    return;
  }
  if (kind === 'mongo') {
    const mongo = await MongoTestServer.start();
    process.on('message', (m: Reply) => {
      if (m.type === 'close') void mongo.stop().then(() => process.exit(0));
    });
    send({ type: 'ready', uri: mongo.uri });
    return;
  }
  throw new Error(`unknown bench upstream ${kind}`);
}

if (require.main === module) {
  // The parent going away (a crashed bench) must not leave a child serving.
  process.on('disconnect', () => process.exit(0));
  serveChild(process.argv[2], process.argv[3]).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
