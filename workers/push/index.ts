/** The push plugin's worker classes, for tests and benchmarks that build a registry by hand. */
import { PushJobWorker } from './push-job.worker';
import { PushSendWorker } from './push-send.worker';

export { PushJobWorker, PushSendWorker };
export const pushClasses = [PushJobWorker, PushSendWorker];
