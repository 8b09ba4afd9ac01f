/** The soak's Sluice processes: started from source (node --import tsx), killed and restarted, RSS sampled. */
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';

const ROOT = path.resolve(__dirname, '../..');

export interface Slot {
  name: string;
  proc: ChildProcess;
  maxRssKb: number;
  exits: Array<{ code: number | null; signal: NodeJS.Signals | null; killed: boolean }>;
}

export class Fleet {
  readonly slots: Slot[] = [];
  private sampler: NodeJS.Timeout | null = null;

  constructor(private readonly env: Record<string, string>, private readonly verbose: boolean) {}

  start(name: string, entry: string, extra: Record<string, string> = {}): Slot {
    const slot = this.slots.find((s) => s.name === name) ?? { name, proc: null as unknown as ChildProcess, maxRssKb: 0, exits: [] };
    const proc = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, entry)], { cwd: ROOT, env: { ...process.env, ...this.env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
    slot.proc = proc;
    const onData = (d: Buffer) => {
      if (this.verbose) process.stderr.write(`[${name}] ${String(d)}`);
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', (code, signal) => slot.exits.push({ code, signal, killed: (proc as ChildProcess & { soakKilled?: boolean }).soakKilled === true }));
    if (!this.slots.includes(slot)) this.slots.push(slot);
    return slot;
  }

  /** SIGKILL, then a fresh process in the same slot. */
  restartHard(slot: Slot, entry: string): Slot {
    (slot.proc as ChildProcess & { soakKilled?: boolean }).soakKilled = true;
    slot.proc.kill('SIGKILL');
    return this.start(slot.name, entry);
  }

  sampleRss(intervalMs = 1_000): void {
    this.sampler = setInterval(() => {
      for (const s of this.slots) {
        try {
          const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${s.proc.pid}/status`, 'utf8'));
          if (m) s.maxRssKb = Math.max(s.maxRssKb, Number(m[1]));
        } catch {
          // the process is being restarted
        }
      }
    }, intervalMs);
    this.sampler.unref();
  }

  /** Processes that died without being killed by the soak (a crash). */
  crashes(): string[] {
    return this.slots.flatMap((s) => s.exits.filter((e) => !e.killed && !(e.code === 0)).map((e) => `${s.name}: ${e.signal ?? e.code}`));
  }

  async stopAll(): Promise<void> {
    if (this.sampler) clearInterval(this.sampler);
    await Promise.all(this.slots.map((s) => new Promise<void>((resolve) => {
      if (s.proc.exitCode !== null || s.proc.signalCode !== null) return resolve();
      s.proc.once('exit', () => resolve());
      s.proc.kill('SIGTERM');
      setTimeout(() => s.proc.kill('SIGKILL'), 45_000).unref();
    })));
  }
}
