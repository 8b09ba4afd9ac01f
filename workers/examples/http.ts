import { HttpClient } from '../../plugins/http';
import type { ConfigReader, RunLogger } from '../../app';

/** An HTTP client for one run, tuned by the examples' settings; retries are logged on the run. */
export function upstreamClient(config: ConfigReader, log: RunLogger): HttpClient {
  return new HttpClient({
    timeoutMs: config.get<number>('EXAMPLES_HTTP_TIMEOUT_MS'),
    attempts: config.get<number>('EXAMPLES_HTTP_ATTEMPTS'),
    backoffMs: config.get<number>('EXAMPLES_HTTP_BACKOFF_MS'),
    headers: { 'user-agent': 'sluice-examples/0.1' },
    onRetry: ({ url, attempt, delayMs, reason }) => log.warn(`retrying ${url} (attempt ${attempt + 1} in ${delayMs} ms): ${reason}`),
  });
}

export function requireUrl(config: ConfigReader, key: string): string {
  const url = config.get<string>(key);
  if (!url) throw new Error(`setting ${key} is empty: point it at the upstream (npm run dev starts a local fake)`);
  return url;
}
