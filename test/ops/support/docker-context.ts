/**
 * The Docker build context as `docker build .` sends it: every file of the project but those `.dockerignore`
 * excludes, read with Docker's matching rules — patterns are relative to the context root, `*` stays within a
 * path segment, `**` spans segments, a matched directory excludes everything below it, a later `!pattern`
 * re-includes.
 */
import fs from 'node:fs';
import path from 'node:path';

interface Rule {
  exclude: boolean;
  re: RegExp;
}

function toRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
      if (pattern[i + 1] === '/') i++;
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}(/.*)?$`);
}

export function dockerignoreRules(root: string): Rule[] {
  return fs.readFileSync(path.join(root, '.dockerignore'), 'utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
    .map((l) => ({ exclude: !l.startsWith('!'), re: toRegExp(l.replace(/^!/, '').replace(/^\/+|\/+$/g, '')) }));
}

/** Whether `file` (relative, with /) stays out of the build context. */
export function excludedBy(rules: readonly Rule[], file: string): boolean {
  let out = false;
  for (const r of rules) if (r.re.test(file)) out = r.exclude;
  return out;
}

/** Copies the build context of `root` into `dest` (files that vanish while copying, e.g. a test's temp worker, are skipped). */
export function copyBuildContext(root: string, dest: string): void {
  const rules = dockerignoreRules(root);
  const walk = (rel: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const file = rel ? `${rel}/${e.name}` : e.name;
      const out = excludedBy(rules, file);
      // Excluded directories are not entered (this project's only `!` rule names a file at the root).
      if (e.isDirectory()) {
        if (!out) walk(file);
      } else if (!out) {
        try {
          fs.mkdirSync(path.join(dest, rel), { recursive: true });
          fs.copyFileSync(path.join(root, file), path.join(dest, file));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
      }
    }
  };
  walk('');
}
