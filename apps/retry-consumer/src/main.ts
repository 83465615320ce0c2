import { runWorkerApp } from '@fileflow/adapters';
import { loadConfig } from './config.ts';
import { buildContainer } from './container.ts';

await runWorkerApp(loadConfig, buildContainer);
