/**
 * What plugins add to the process's observability: Prometheus metrics (served by the API's GET /metrics next to the
 * core's) and readiness checks (shown in GET /ready). One instance per process; each PluginApi gets a view that
 * keeps metric names in its own `sluice_<plugin>_` namespace and check names under `plugin:<plugin>:`.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { PluginMetrics, ReadinessCheck, ReadinessResult } from './plugin-api';

const NAME = /^[a-z_][a-z0-9_]*$/;

export class PluginObservability {
  /** Every plugin metric of this process (merged into GET /metrics by the API). */
  readonly registry = new Registry();
  private readonly checks = new Map<string, ReadinessCheck>();

  /** The metric factory of one plugin: names must start with `sluice_<plugin>_` (hyphens become underscores). */
  metricsFor(plugin: string): PluginMetrics {
    const prefix = `sluice_${plugin.replace(/[^a-zA-Z0-9_]/g, '_').toLowerCase()}_`;
    const check = (name: string): void => {
      if (!name.startsWith(prefix) || !NAME.test(name)) throw new Error(`plugin ${plugin}: metric "${name}" must match ${prefix}[a-z0-9_]+`);
      if (this.registry.getSingleMetric(name)) throw new Error(`plugin ${plugin}: metric "${name}" is already registered`);
    };
    const registers = [this.registry];
    return {
      counter: (o) => (check(o.name), new Counter({ name: o.name, help: o.help, labelNames: o.labelNames ?? [], registers })),
      gauge: (o) => (check(o.name), new Gauge({ name: o.name, help: o.help, labelNames: o.labelNames ?? [], registers, collect: o.collect })),
    };
  }

  /** Registers (or replaces) a readiness check of a plugin; shown as `plugin:<plugin>:<name>` in GET /ready. */
  addCheck(plugin: string, name: string, check: ReadinessCheck): void {
    this.checks.set(`plugin:${plugin}:${name}`, check);
  }

  /** The checks by their /ready name. */
  readinessChecks(): ReadonlyMap<string, ReadinessCheck> {
    return this.checks;
  }
}

/** A check's answer as /ready reads it: a throw is a failure; `{ warning }` keeps it ready and shows the warning. */
export function warningOf(result: ReadinessResult): string | undefined {
  return result && typeof result === 'object' && typeof result.warning === 'string' ? result.warning : undefined;
}
