/** Dev mode: api, worker and beat in one process (`npm run dev`). */
import 'reflect-metadata';
import { runRole } from './app/core/runtime/main';

void runRole('dev');
