import 'reflect-metadata';
import { registerWorker, type WorkerConfig } from '@fileflow/adapters';
import { container, type DependencyContainer } from 'tsyringe';

/** Builds this app's object graph in a child of tsyringe's root container. */
export function buildContainer(config: WorkerConfig): DependencyContainer {
  const child = container.createChildContainer();
  registerWorker(child, config);
  return child;
}
