import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

const ASK = 'claimgate:metrics';
const ANSWER = 'claimgate:metrics-answer';
/** prom-client's primary gives up on a silent worker after 5 s; the asking worker waits a little longer than that. */
const ANSWER_WITHIN_MS = 6_000;

interface Ask { type: typeof ASK; id: number }
interface Answer { type: typeof ANSWER; id: number; text?: string; error?: string }

const isAsk = (message: unknown): message is Ask => (message as Ask | undefined)?.type === ASK;
const isAnswer = (message: unknown): message is Answer => (message as Answer | undefined)?.type === ANSWER;

/**
 * In the cluster primary: answers a worker's scrape with the aggregate of every worker's registry (prom-client's
 * AggregatorRegistry asks each worker over IPC). Counters add up; gauges follow each metric's aggregator.
 */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: unknown) => {
    if (!isAsk(message)) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: ANSWER, id: message.id, text } satisfies Answer),
      (error: Error) => worker.send({ type: ANSWER, id: message.id, error: error.message } satisfies Answer),
    );
  });
}

/**
 * In a cluster worker: offers `registry` to the primary's aggregation and returns the scrape that asks the primary
 * for every worker's figures, so `/metrics` on any worker counts the requests all of them served.
 */
export function clusterScrape(registry: Registry): () => Promise<string> {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one installs prom-client's answering listener in this worker.
  new AggregatorRegistry();
  const waiting = new Map<number, { resolve(text: string): void; reject(error: Error): void }>();
  let next = 0;
  process.on('message', (message: unknown) => {
    if (!isAnswer(message)) return;
    const entry = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.error !== undefined) entry?.reject(new Error(`cluster metrics: ${message.error}`));
    else entry?.resolve(message.text ?? '');
  });
  return () => new Promise<string>((resolve, reject) => {
    const id = next++;
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(new Error('cluster metrics: the primary did not answer'));
    }, ANSWER_WITHIN_MS);
    waiting.set(id, {
      resolve: (text) => (clearTimeout(timer), resolve(text)),
      reject: (error) => (clearTimeout(timer), reject(error)),
    });
    process.send!({ type: ASK, id } satisfies Ask);
  });
}
