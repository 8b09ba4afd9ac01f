import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSettings, parseSetting, settingDefinitions } from '../../app/config/settings';
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
});
