export { MongoTestServer, type MongoTestServerOptions } from './server';
export { ServerFaults, type WriteFailure } from './faults';
