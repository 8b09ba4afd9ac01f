export * from './entities';
export * from './records';
export * from './detail-sources';
import './indexes';
