import express, { type Router } from 'express';
import { pendingMigrations, type Orm } from '../db/orm';
import { pingDatabase } from '../stores/health.store';

/**
 * Whether this process still takes new work. main.ts's shutdown calls
 * markShuttingDown() first, so /readyz answers 503 and a load balancer stops
 * sending here while in-flight requests and websockets are wound down.
 */
const state = { shuttingDown: false };

export function markShuttingDown(): void {
  state.shuttingDown = true;
}

export function isShuttingDown(): boolean {
  return state.shuttingDown;
}

/** For tests that shut a server down and start another in the same process. */
export function resetReadiness(): void {
  state.shuttingDown = false;
}

/**
 * Health for orchestrators:
 * - `GET /healthz`: liveness. 200 while the process answers at all (no database
 *   look-up: a database outage must not make an orchestrator restart every instance).
 * - `GET /readyz`: readiness. 200 only when the database answers, every migration
 *   is applied and the process is not shutting down; otherwise 503 with the reason.
 */
export function healthRoutes(deps: { orm: Orm }): Router {
  const router = express.Router();
  let migrated = false;
  router.get('/healthz', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.status(200).json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    if (state.shuttingDown) {
      res.status(503).json({ status: 'shutting down' });
      return;
    }
    try {
      await pingDatabase(deps.orm.em.fork());
    } catch {
      res.status(503).json({ status: 'database unreachable' });
      return;
    }
    try {
      // Once all are applied they stay applied for this process's code: asked until then only.
      if (!migrated) migrated = (await pendingMigrations(deps.orm)) === 0;
    } catch {
      res.status(503).json({ status: 'database unreachable' });
      return;
    }
    if (!migrated) {
      res.status(503).json({ status: 'migrations pending' });
      return;
    }
    res.status(state.shuttingDown ? 503 : 200).json({ status: state.shuttingDown ? 'shutting down' : 'ready' });
  });
  return router;
}
