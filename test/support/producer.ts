/** The test's own producer for workers running in child processes: a test-role Container with the registry seeded. */
import { Container } from '../../app/core/runtime/container';

export async function startProducer(env: Record<string, string>): Promise<Container> {
  const producer = new Container({ role: 'test', env: { ...process.env, ...env }, console: false });
  await producer.init();
  await producer.mirror.seedRegistry(producer.registry);
  return producer;
}
