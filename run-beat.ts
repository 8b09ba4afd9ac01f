/** Entry of the beat process. */
import 'reflect-metadata';
import { runRole } from './app/core/runtime/main';

void runRole('beat');
