/** The durable version table (`resource_versions`): one row per resource, moved forward with an optimistic check. */
import { and, eq } from 'drizzle-orm';
import type { MySql2Database } from 'drizzle-orm/mysql2';
import { resourceVersions } from './schema';

export interface VersionRow {
  name: string;
  version: number;
  hash: string;
  rows: number;
  bytes: number;
  compressedBytes: number;
  updatedAt: Date;
  bumpedBy: string;
}

/** What a version holds. */
export interface VersionContent {
  hash: string;
  rows: number;
  bytes: number;
  compressedBytes: number;
}

type Db = MySql2Database<Record<string, never>>;

interface Affected { affectedRows: number }

function isDuplicate(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === 'ER_DUP_ENTRY';
}

export class VersionStore {
  /** `db` is asked for on every call: a closed and reopened database (tests) is picked up. */
  constructor(private readonly db: () => Promise<Db>) {}

  async list(): Promise<VersionRow[]> {
    return (await this.db()).select().from(resourceVersions).orderBy(resourceVersions.name);
  }

  async get(name: string): Promise<VersionRow | null> {
    const rows = await (await this.db()).select().from(resourceVersions).where(eq(resourceVersions.name, name)).limit(1);
    return rows[0] ?? null;
  }

  /**
   * Writes version `expected + 1` (or 1 when `expected` is null) holding `content`, only if the row is still at
   * `expected`; resolves to the new row, or null when another writer moved it first.
   */
  async advance(name: string, expected: number | null, content: VersionContent, bumpedBy: string): Promise<VersionRow | null> {
    const db = await this.db();
    const updatedAt = new Date();
    const by = bumpedBy.slice(0, 128);
    if (expected === null) {
      try {
        await db.insert(resourceVersions).values({ name, version: 1, ...content, updatedAt, bumpedBy: by });
      } catch (err) {
        if (isDuplicate(err)) return null;
        throw err;
      }
      return { name, version: 1, ...content, updatedAt, bumpedBy: by };
    }
    const [res] = (await db.update(resourceVersions)
      .set({ version: expected + 1, ...content, updatedAt, bumpedBy: by })
      .where(and(eq(resourceVersions.name, name), eq(resourceVersions.version, expected)))) as unknown as [Affected];
    return res.affectedRows === 1 ? { name, version: expected + 1, ...content, updatedAt, bumpedBy: by } : null;
  }
}
