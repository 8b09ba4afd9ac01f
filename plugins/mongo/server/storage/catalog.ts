import { CommandError } from '../errors';
import { Collection, validateCollectionName } from './collection';

/** All databases of one server: database name → collection name → collection. */
export class Catalog {
  private readonly dbs = new Map<string, Map<string, Collection>>();

  get(db: string, name: string): Collection | undefined {
    return this.dbs.get(db)?.get(name);
  }

  /** Implicit creation, as inserts, upserts and createIndexes do in mongod. */
  getOrCreate(db: string, name: string): Collection {
    let colls = this.dbs.get(db);
    if (!colls) {
      if (db === '' || /[/\\. "$]/.test(db)) throw new CommandError(73, `Invalid database name: '${db}'`);
      colls = new Map();
      this.dbs.set(db, colls);
    }
    let coll = colls.get(name);
    if (!coll) {
      coll = new Collection(db, validateCollectionName(name));
      colls.set(name, coll);
    }
    return coll;
  }

  collections(db: string): Collection[] {
    return [...(this.dbs.get(db)?.values() ?? [])];
  }

  drop(db: string, name: string): Collection | undefined {
    const coll = this.get(db, name);
    if (coll) this.dbs.get(db)?.delete(name);
    return coll;
  }

  dropDatabase(db: string): void {
    this.dbs.delete(db);
  }

  databaseNames(): string[] {
    return [...this.dbs.keys()].filter((db) => (this.dbs.get(db)?.size ?? 0) > 0);
  }

  clear(): void {
    this.dbs.clear();
  }
}
