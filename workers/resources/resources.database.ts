/** The database of the resources plugin: the version table and the example datasets. */
import { Database, DatabaseBase } from '../../app';
import './settings';

/**
 * RESOURCES_DB_URL when set (global config row or env); otherwise `sluice_resources` on the core MySQL server,
 * so dev works without any setting.
 */
@Database({ name: 'resources', urlEnv: 'RESOURCES_DB_URL', defaultDatabase: 'sluice_resources', createDatabase: true, pool: { connectionLimit: 6 } })
export class ResourcesDb extends DatabaseBase {}
