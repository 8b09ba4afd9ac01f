export { MongoTestServer, type MongoTestServerOptions, type CommandTrace } from './server';
export { ServerFaults, type WriteFailure } from './faults';
