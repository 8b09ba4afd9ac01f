/** The sync's unique record keys and update index, created at worker boot (declared on import of this module). */
import { declareMarketIndexes } from '../marketplace-dto';

declareMarketIndexes();
