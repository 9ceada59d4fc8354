/**
 * Health probes from the first millisecond of startup (issue 11): a container
 * or systemd probe polls while Node-RED is still loading its flows. The real
 * app is spawned and /health/ready, /health/live and a few other routes are
 * polled in a tight loop until it is ready; the process must stay up, answer
 * 503 "starting" first and 200 at the end, and never 500.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import { spawnApp } from '../support/app';

interface Probe {
  path: string;
  status: number;
  body: string;
}

async function probe(url: string, path: string): Promise<Probe | undefined> {
  try {
    const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(5000) });
    return { path, status: res.status, body: await res.text() };
  } catch {
    return undefined; // not listening yet (or the process is gone: checked below)
  }
}

for (let run = 1; run <= 2; run++) {
  test(`startup run ${run}: probes from the first millisecond never end the process; 503 "starting", then 200`, { timeout: 120_000 }, async () => {
    const app = await spawnApp();
    const seen: Probe[] = [];
    try {
      const end = Date.now() + 90_000;
      let ready = false;
      while (!ready && Date.now() < end) {
        assert.equal(app.proc.exitCode, null, `the app exited during startup:\n${app.log()}`);
        const answers = await Promise.all(['/health/ready', '/health/live', '/metrics', '/no-such-route'].map((p) => probe(app.url, p)));
        for (const a of answers) if (a) seen.push(a);
        ready = answers[0]?.status === 200;
      }
      assert.ok(ready, `not ready within 90 s; last answers ${JSON.stringify(seen.slice(-4))}\n${app.log()}`);
      // Still up a moment later, and still answering.
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(app.proc.exitCode, null, app.log());
      assert.equal((await probe(app.url, '/health/live'))?.status, 200);

      const readyAnswers = seen.filter((p) => p.path === '/health/ready');
      const liveAnswers = seen.filter((p) => p.path === '/health/live');
      assert.equal(readyAnswers[0].status, 503, `first /health/ready answer: ${JSON.stringify(readyAnswers[0])}`);
      assert.equal(JSON.parse(readyAnswers[0].body).status, 'starting');
      assert.equal(liveAnswers[0].status, 503);
      assert.equal(JSON.parse(liveAnswers[0].body).status, 'starting');
      assert.equal(readyAnswers[readyAnswers.length - 1].status, 200);
      assert.ok(readyAnswers.length > 5, `only ${readyAnswers.length} probes answered before ready: the loop did not catch the startup`);
      assert.deepEqual(
        seen.filter((p) => p.status >= 500 && p.status !== 503),
        [],
        'no 500 from any route',
      );
    } finally {
      await app.stop();
    }
  });
}
