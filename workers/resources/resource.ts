/**
 * Declaring a resource: one `<name>.resource.ts` file in this folder whose default export is `defineResource({…})`.
 * The plugin finds such files itself (resource-catalog.ts); no other file changes when one is added.
 */
import type { TSchema } from '@sinclair/typebox';
import type { ConfigReader, RunLogger } from '../../app';

/** What a loader gets. */
export interface LoadContext {
  /** The resource being loaded. */
  readonly name: string;
  /** The effective global config view. */
  readonly config: ConfigReader;
  /** The plugin's logger. */
  readonly log: RunLogger;
}

/** A row is a plain JSON object. */
export type ResourceRow = Record<string, unknown>;

export interface ResourceDefinition<Row extends ResourceRow = ResourceRow> {
  /** URL-safe name (`^[a-z][a-z0-9_-]{0,63}$`): `/plugins/resources/<name>/fulldata`. */
  name: string;
  /** One line shown in the version table and the docs. */
  description: string;
  /** The field that identifies a row (`getById` in the browser); it must be present and unique in every row. */
  idField: keyof Row & string;
  /** Returns the whole dataset (every row, no paging); it is JSON-serialised, hashed and cached as returned. */
  load(ctx: LoadContext): Promise<readonly Row[]>;
  /**
   * Reload on a schedule (5- or 6-field cron) and bump only when the content changed.
   * @defaultValue none: the resource changes only through refresh/bump calls and cache misses
   */
  refresh?: { cron: string; timezone?: string };
  /** TypeBox schema every row must satisfy; a load with a bad row fails naming the row and the field. @defaultValue none */
  schema?: TSchema;
}

const RESOURCE = Symbol.for('sluice.resource');
type Marked = ResourceDefinition & { [RESOURCE]?: true };

/**
 * Marks a resource declaration (the catalog accepts only marked exports, so a stray object is reported). `Row`
 * types the declaration itself (its idField and loader); the result is the row-agnostic shape the catalog holds.
 */
export function defineResource<Row extends ResourceRow>(def: ResourceDefinition<Row>): ResourceDefinition {
  return Object.freeze({ ...def, [RESOURCE]: true as const }) as unknown as ResourceDefinition;
}

export function isResource(value: unknown): value is ResourceDefinition {
  return typeof value === 'object' && value !== null && (value as Marked)[RESOURCE] === true;
}
