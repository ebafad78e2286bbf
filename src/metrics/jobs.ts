import type { Metrics } from './metrics.js';

/** Runs one background job and records how long it took, and whether it succeeded, in the job histogram. */
export async function timedJob<T>(metrics: Metrics, job: string, work: () => Promise<T>): Promise<T> {
  const end = metrics.jobDuration.startTimer({ job });
  try {
    const result = await work();
    end({ outcome: 'success' });
    return result;
  } catch (error) {
    end({ outcome: 'failure' });
    throw error;
  }
}
