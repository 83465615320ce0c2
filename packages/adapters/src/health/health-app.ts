import { Hono } from 'hono';
import { probeReadiness, type DependencyCheck } from './readiness.ts';

/** Routes `/healthz`, `/readyz` and, when given, `/metrics`, for any app. */
export function healthRoutes(
  checks: DependencyCheck[],
  metrics?: { contentType: string; render: () => Promise<string> },
): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const report = await probeReadiness(checks, 3_000);
    return c.json({ status: report.ready ? 'ready' : 'not-ready', checks: report.checks }, report.ready ? 200 : 503);
  });
  if (metrics) {
    app.get('/metrics', async (c) => c.body(await metrics.render(), 200, { 'Content-Type': metrics.contentType }));
  }
  return app;
}
