/** What the webhook consumer shares with the marketplace plugin: record names over the shared DTOs, and the detail-source port. */
export * from './entities';
export * from './records';
export * from './detail-sources';
import './indexes';
