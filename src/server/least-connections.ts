/**
 * Which worker takes the next connection: the one holding the fewest open connections, ties in turn.
 *
 * node:cluster's round robin gives each new connection to whichever worker acknowledged its previous one first, so a
 * burst of keep-alive connections (a load balancer opening its pool, a load test) can leave one worker with twice
 * the connections of another, and the requests on them waiting twice as long, for as long as they stay open.
 */
export class LeastConnections<Worker> {
  /** Open connections per ready worker; iteration order is the order of the last hand-out, for turns among ties. */
  private readonly open = new Map<Worker, number>();

  /** A worker ready for connections (started, or restarted: it has none, so it takes the next ones). */
  add(worker: Worker): void {
    this.open.set(worker, 0);
  }

  /** A worker that died or is stopping: it takes no more. */
  remove(worker: Worker): void {
    this.open.delete(worker);
  }

  /** The worker for a new connection, counted as holding it; undefined when none is ready. */
  take(): Worker | undefined {
    let chosen: Worker | undefined;
    let fewest = Number.POSITIVE_INFINITY;
    for (const [worker, count] of this.open) {
      if (count < fewest) {
        chosen = worker;
        fewest = count;
      }
    }
    if (chosen === undefined) return undefined;
    this.open.delete(chosen);
    this.open.set(chosen, fewest + 1);
    return chosen;
  }

  /** A connection of `worker` closed (or never arrived). */
  closed(worker: Worker): void {
    const count = this.open.get(worker);
    if (count) this.open.set(worker, count - 1);
  }

  /** Open connections of a worker (undefined when it is not ready). */
  count(worker: Worker): number | undefined {
    return this.open.get(worker);
  }
}
