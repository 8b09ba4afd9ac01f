/** Lifecycle hooks of the push plugin. */
import type { PluginApi } from '../../app';
import { closePipelines } from './pipeline';

/** After the send tasks stopped: write what the buckets still hold and close the HTTP/2 sessions to FCM. */
export async function onWorkerShutdown(api: PluginApi): Promise<void> {
  await closePipelines();
  api.logger.info('push: pipelines closed');
}
