/**
 * A front for a fake that shares its process with the code under test: a worker thread, on its own event loop,
 * that takes each request as it arrives, stamps the time in `x-fake-arrived`, and hands it to the fake.
 *
 * A platform counts a request against its rate limit when it arrives. A fake in a busy process reads requests late:
 * measured in the marketplace tests, the fake's own loop read requests up to 1.5–4 s after they had reached this
 * front, while the front got them at most ~0.7 s after the client sent them. Counted at the fake's read, requests
 * that arrived on time fell into a later second and showed up as violations that a platform would not have seen.
 */
import { Worker } from 'node:worker_threads';

export const ARRIVED_HEADER = 'x-fake-arrived';

/** Plain JavaScript, run with `eval`: the worker needs no TypeScript loader. */
const FRONT = `
const http = require('node:http');
const { workerData, parentPort } = require('node:worker_threads');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });
const server = http.createServer((req, res) => {
  const headers = { ...req.headers, [workerData.header]: String(Date.now()) };
  const up = http.request({ host: '127.0.0.1', port: workerData.port, method: req.method, path: req.url, headers, agent }, (answer) => {
    res.writeHead(answer.statusCode, answer.headers);
    answer.pipe(res);
  });
  up.on('error', (err) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end('fake front: ' + err.message);
  });
  req.pipe(up);
});
server.keepAliveTimeout = 30000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
parentPort.on('message', (m) => {
  if (m !== 'close') return;
  server.closeAllConnections();
  server.close(() => { agent.destroy(); parentPort.postMessage('closed'); });
});
`;

export interface ArrivalFront {
  url: string;
  close(): Promise<void>;
}

/** Starts the front of the fake listening on 127.0.0.1:`port`. */
export async function startArrivalFront(port: number): Promise<ArrivalFront> {
  const worker = new Worker(FRONT, { eval: true, workerData: { port, header: ARRIVED_HEADER } });
  const frontPort = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    url: `http://127.0.0.1:${frontPort}`,
    async close() {
      const closed = new Promise<void>((resolve) => worker.once('message', () => resolve()));
      worker.postMessage('close');
      await closed;
      await worker.terminate();
    },
  };
}
