import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSettings, parseSetting, settingDefinitions, settingProblem } from '../../app/config/settings';
import { discoverWorkers } from '../../app/core/registry/discovery';
import { ROOT } from '../support/child';

const CORE_KEYS = Object.keys(loadSettings({}));

beforeAll(async () => {
  // Plugins register their settings when their worker files load.
  await discoverWorkers(path.join(ROOT, 'workers'));
});

describe('settings', () => {
  it('.env.example lists every setting (core first, in order, then each plugin) with its default', () => {
    const text = fs.readFileSync(path.join(ROOT, '.env.example'), 'utf8');
    const entries = [...text.matchAll(/^([A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1], m[2]] as const);
    expect(entries.slice(0, CORE_KEYS.length).map(([k]) => k)).toEqual(CORE_KEYS);
    expect(entries.map(([k]) => k).sort()).toEqual([...settingDefinitions().keys()].sort());
    for (const [key, value] of entries) expect(value, key).toBe(String(settingDefinitions().get(key)!.default));
  });

  it('parses typed env values and rejects bad ones naming the key', () => {
    expect(loadSettings({ API_PORT: '9000', DB_AUTO_MIGRATE: 'false' })).toMatchObject({ API_PORT: 9000, DB_AUTO_MIGRATE: false });
    expect(() => loadSettings({ API_PORT: 'eighty' })).toThrow(/API_PORT="eighty" is not a valid int/);
    expect(() => parseSetting('DB_AUTO_MIGRATE', 'maybe', 'bool')).toThrow(/DB_AUTO_MIGRATE/);
  });

  it('checks ranges with a message naming the setting and the bound', () => {
    expect(() => loadSettings({ LOG_FLUSH_BATCH: '0' })).toThrow('Setting LOG_FLUSH_BATCH="0" is out of range: expected integer to be greater or equal to 1 (int >= 1)');
    expect(() => loadSettings({ API_PORT: '70000' })).toThrow(/API_PORT="70000" is out of range: .*65535/);
    expect(() => loadSettings({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL="loud" is out of range: must be one of error, warn, info/);
    expect(() => loadSettings({ JSON_MAX_DEPTH: '5000' })).toThrow(/JSON_MAX_DEPTH/);
    expect(loadSettings({ LIVE_FLUSH_INTERVAL_MS: '0', LOG_FLUSH_BATCH: '1_000' })).toMatchObject({ LIVE_FLUSH_INTERVAL_MS: 0, LOG_FLUSH_BATCH: 1000 });
    // Settings whose description gives 0 a meaning ("0 = …") accept it.
    expect(loadSettings({ STATS_SEAL_INTERVAL_MS: '0' })).toMatchObject({ STATS_SEAL_INTERVAL_MS: 0 });
  });

  it('every default fits its own type and range', () => {
    for (const [key, def] of settingDefinitions()) expect(settingProblem(key, def.default), key).toBeNull();
  });
});
