/** The loader of plugins' routes.ts accepts compiled CommonJS modules, including one that exports only publicRoutes. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPluginRoutes } from '../../app/core/api/plugin-routes';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-routes-loader-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Writes workers/<folder>/routes.js as tsc emits it for CommonJS. */
function compiled(folder: string, body: string): void {
  fs.mkdirSync(path.join(dir, folder), { recursive: true });
  fs.writeFileSync(path.join(dir, folder, 'routes.js'), `"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\n${body}\n`);
}

describe('loadPluginRoutes with compiled CommonJS', () => {
  it('takes a module with only publicRoutes, and one with a default export', async () => {
    compiled('hooksonly', 'exports.publicRoutes = { prefix: "/hooksonly", plugin: async () => {} };');
    compiled('both', 'exports.default = async () => {};\nexports.publicRoutes = { prefix: "/both", plugin: async () => {} };');
    const loaded = await loadPluginRoutes(dir);
    const byFolder = new Map(loaded.map((l) => [l.folder, l]));
    expect(byFolder.get('hooksonly')?.routes).toBeUndefined();
    expect(byFolder.get('hooksonly')?.publicRoutes?.prefix).toBe('/hooksonly');
    expect(typeof byFolder.get('both')?.routes).toBe('function');
    expect(byFolder.get('both')?.publicRoutes?.prefix).toBe('/both');
  });
});
