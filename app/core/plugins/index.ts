/** The plugin layer of the core: the PluginApi per folder, plugin files, lifecycle hooks. */
import type { Container } from '../runtime/container';
import { PluginApis } from './plugin-apis';

const byContainer = new WeakMap<Container, PluginApis>();

/** The plugin APIs of a process (its container must be initialised). Their connections close with the container. */
export function pluginApis(c: Container): PluginApis {
  let apis = byContainer.get(c);
  if (!apis) {
    if (!c.dispatcher) throw new Error('plugin APIs need an initialised container (await container.init() first)');
    apis = new PluginApis({
      config: { get: <T>(key: string) => c.config.get<T>(key) }, logger: c.logger, dispatcher: c.dispatcher, events: c.events,
      mongo: () => c.mongo(), registry: c.registry, redisFactory: c.redisFactory, redisPrefix: c.keys.prefix,
    });
    byContainer.set(c, apis);
  }
  return apis;
}

export { PluginApis, type PluginServices } from './plugin-apis';
export { findPluginFiles, importPluginFile, shownFile, type PluginFile } from './plugin-files';
