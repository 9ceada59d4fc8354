/** Worker thread body of the bcryptjs pool: compares passwords off the main thread. */
import { parentPort } from 'worker_threads';
import bcrypt from 'bcryptjs';

parentPort?.on('message', (job: { id: number; password: string; hash: string }) => {
  let ok = false;
  try {
    ok = bcrypt.compareSync(job.password, job.hash);
  } catch {
    ok = false;
  }
  parentPort?.postMessage({ id: job.id, ok });
});
