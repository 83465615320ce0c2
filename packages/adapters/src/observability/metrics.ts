import type { ProcessOutcome } from '@fileflow/domain';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { OutcomeRecorder } from '../worker/outcome-handler.ts';

/** Prometheus metrics of one app, in a registry of its own. */
export class Metrics implements OutcomeRecorder {
  readonly registry = new Registry();

  readonly attempts = new Counter({
    name: 'fileflow_attempts_total',
    help: 'Upload attempts by outcome and error class',
    labelNames: ['outcome', 'error_class', 'error_code'] as const,
    registers: [this.registry],
  });

  readonly retriesScheduled = new Counter({
    name: 'fileflow_retries_scheduled_total',
    help: 'Retries scheduled after a retryable failure',
    registers: [this.registry],
  });

  readonly deadLettered = new Counter({
    name: 'fileflow_dead_lettered_total',
    help: 'Uploads sent to the dead-letter topic',
    registers: [this.registry],
  });

  readonly bytesStored = new Counter({
    name: 'fileflow_bytes_stored_total',
    help: 'Bytes copied from sources into object storage',
    registers: [this.registry],
  });

  readonly attemptSeconds = new Histogram({
    name: 'fileflow_attempt_duration_seconds',
    help: 'Duration of an attempt: download and store',
    labelNames: ['outcome'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800],
    registers: [this.registry],
  });

  readonly uploadsAccepted = new Counter({
    name: 'fileflow_uploads_accepted_total',
    help: 'Upload requests accepted by the API',
    registers: [this.registry],
  });

  readonly httpRequests = new Histogram({
    name: 'fileflow_http_request_duration_seconds',
    help: 'HTTP requests by route, method and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly outboxBacklog = new Gauge({
    name: 'fileflow_outbox_backlog',
    help: 'Outbox rows not yet published',
    registers: [this.registry],
  });

  readonly consumerLag = new Gauge({
    name: 'fileflow_consumer_lag_messages',
    help: 'Messages between the committed offset and the end of each partition',
    labelNames: ['topic', 'partition'] as const,
    registers: [this.registry],
  });

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
  }

  record(outcome: ProcessOutcome, durationMs: number): void {
    const seconds = durationMs / 1_000;
    this.attemptSeconds.observe({ outcome: outcome.kind }, seconds);
    if (outcome.kind === 'completed') {
      this.attempts.inc({ outcome: 'completed', error_class: '', error_code: '' });
      this.bytesStored.inc(outcome.stored.size);
      return;
    }
    if (outcome.kind === 'retry-scheduled' || outcome.kind === 'failed') {
      const { failureClass, code } = outcome.failure;
      this.attempts.inc({ outcome: outcome.kind, error_class: failureClass, error_code: code });
      if (outcome.kind === 'retry-scheduled') this.retriesScheduled.inc();
      else this.deadLettered.inc();
      return;
    }
    this.attempts.inc({ outcome: outcome.kind, error_class: '', error_code: '' });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
