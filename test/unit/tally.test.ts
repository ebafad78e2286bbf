import { Registry } from 'prom-client';
import { TalliedCounter } from '../../src/metrics/tally.js';

function counterIn(registry: Registry) {
  return new TalliedCounter<'route' | 'outcome'>({ name: 'test_decisions_total', help: 'test', labelNames: ['route', 'outcome'], registers: [registry] });
}

describe('a counter tallied on the hot path', () => {
  it('reports every increment at the scrape, once, whatever the spelling of the labels', async () => {
    const registry = new Registry();
    const counter = counterIn(registry);
    const held = counter.child({ route: 'wiki', outcome: 'allowed' });
    held.inc();
    held.inc();
    counter.inc({ outcome: 'allowed', route: 'wiki' });
    counter.inc({ route: 'wiki', outcome: 'denied' });
    expect(await registry.metrics()).toContain('test_decisions_total{route="wiki",outcome="allowed"} 3');
    held.inc();
    const values = (await counter.get()).values;
    expect(values.find((v) => v.labels.outcome === 'allowed')?.value).toBe(4);
    expect(values.find((v) => v.labels.outcome === 'denied')?.value).toBe(1);
    // A scrape with nothing new counted reports the same totals: nothing is added twice.
    expect(await registry.metrics()).toContain('test_decisions_total{route="wiki",outcome="allowed"} 4');
  });

  it('keeps label sets apart even when one value could be read as two', async () => {
    const registry = new Registry();
    const counter = counterIn(registry);
    counter.inc({ route: 'a', outcome: 'b c' });
    counter.inc({ route: 'a b', outcome: 'c' });
    const values = (await counter.get()).values;
    expect(values).toHaveLength(2);
  });
});
