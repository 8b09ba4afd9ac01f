/**
 * Lays out, in a directory, exactly what the Dockerfile's runtime stage puts in /app: it reads the stage's COPY
 * and RUN instructions and replays them against a built copy of the build context (the build stage's /app). `npm ci --omit=dev` is replayed from package-lock.json: every package the lock does not mark
 * dev-only is hard-linked from node_modules (no symlinks, so nothing resolves back into the dev tree).
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

export interface Instruction {
  op: string;
  args: string;
}

/** The instructions of one stage (`FROM … AS <name>`), continuation lines joined, comments dropped. */
export function stageInstructions(dockerfile: string, stage: string): Instruction[] {
  const joined = dockerfile.replace(/\\\r?\n/g, ' ').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const out: Instruction[] = [];
  let inStage = false;
  for (const line of joined) {
    const [op, ...rest] = line.split(/\s+/);
    if (/^FROM$/i.test(op)) {
      inStage = new RegExp(`\\bAS\\s+${stage}$`, 'i').test(line);
      continue;
    }
    if (inStage) out.push({ op: op.toUpperCase(), args: rest.join(' ') });
  }
  if (!out.length) throw new Error(`Dockerfile has no stage named ${stage}`);
  return out;
}

function linkTree(src: string, dest: string): void {
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  execFileSync('cp', ['-al', src, dest]);
}

/** The production dependencies `npm ci --omit=dev` installs, hard-linked from root/node_modules (real paths). */
export function linkProductionDependencies(root: string, dest: string): string[] {
  const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; devOptional?: boolean }> };
  const top = Object.entries(lock.packages)
    .filter(([key, p]) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(key) && !p.dev && !p.devOptional)
    .map(([key]) => key)
    .filter((key) => fs.existsSync(path.join(root, key)));
  // The build's node_modules may be a symlink to the checkout's: link the real files.
  const modules = fs.realpathSync(path.join(root, 'node_modules'));
  for (const key of top) linkTree(path.join(modules, key.slice('node_modules/'.length)), path.join(dest, key));
  return top;
}

/** Replays the runtime stage into `dest`; returns the image's ENV. Unknown RUN steps fail (teach this file). */
export function layOutRuntimeImage(root: string, dest: string): Record<string, string> {
  const steps = stageInstructions(fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8'), 'runtime');
  const env: Record<string, string> = {};
  let workdir = '/';
  const inImage = (p: string) => path.join(dest, path.relative(workdir, path.resolve(workdir, p)));
  for (const { op, args } of steps) {
    if (op === 'WORKDIR') workdir = args;
    else if (op === 'ENV') for (const m of args.matchAll(/([A-Z0-9_]+)=(\S+)/g)) env[m[1]] = m[2];
    else if (op === 'COPY') {
      const parts = args.split(/\s+/).filter((a) => !a.startsWith('--chown'));
      const fromBuild = parts[0].startsWith('--from=');
      const paths = fromBuild ? parts.slice(1) : parts;
      const target = paths.pop()!;
      for (const src of paths) {
        // The build stage's /app is the context after `npm run build`.
        const from = path.join(root, fromBuild ? path.relative('/app', src) : src);
        const to = target.endsWith('/') ? path.join(inImage(target), path.basename(src)) : inImage(target);
        fs.mkdirSync(path.dirname(to), { recursive: true });
        fs.cpSync(from, to, { recursive: true });
      }
    } else if (op === 'RUN') {
      for (const cmd of args.split('&&').map((c) => c.trim())) {
        if (/^npm ci --omit=dev\b/.test(cmd)) linkProductionDependencies(root, dest);
        else if (/^npm cache clean\b/.test(cmd) || /^chown\b/.test(cmd)) continue;
        else if (/^mkdir -p /.test(cmd)) for (const d of cmd.slice('mkdir -p '.length).split(/\s+/)) fs.mkdirSync(inImage(d), { recursive: true });
        else throw new Error(`image-layout: the runtime stage runs "${cmd}", which this test does not replay yet`);
      }
    } else if (!['USER', 'EXPOSE', 'HEALTHCHECK', 'CMD', 'ARG', 'LABEL'].includes(op)) {
      throw new Error(`image-layout: unknown instruction ${op} in the runtime stage`);
    }
  }
  return env;
}
