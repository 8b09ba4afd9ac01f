/** Entry of the worker process. */
import 'reflect-metadata';
import { runRole } from './app/core/runtime/main';

void runRole('worker');
