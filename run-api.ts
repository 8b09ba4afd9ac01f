/** Entry of the api process. */
import 'reflect-metadata';
import { runRole } from './app/core/runtime/main';

void runRole('api');
