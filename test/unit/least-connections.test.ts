import { LeastConnections } from '../../src/server/least-connections.js';

const spread = (balancer: LeastConnections<string>, workers: string[]) => workers.map((worker) => balancer.count(worker));

describe('least-connections hand-out', () => {
  // Misuse of round robin: a burst of keep-alive connections piling onto the worker that acknowledged first.
  it('spreads a burst evenly, in turn', () => {
    const balancer = new LeastConnections<string>();
    balancer.add('a');
    balancer.add('b');
    const taken = Array.from({ length: 50 }, () => balancer.take());
    expect(spread(balancer, ['a', 'b'])).toEqual([25, 25]);
    expect(taken.slice(0, 4)).toEqual(['a', 'b', 'a', 'b']);
  });

  it('sends new connections to the worker that holds fewer, such as one just restarted', () => {
    const balancer = new LeastConnections<string>();
    balancer.add('a');
    balancer.add('b');
    for (let i = 0; i < 10; i++) balancer.take();
    balancer.remove('b');
    balancer.add('b2');
    expect(Array.from({ length: 5 }, () => balancer.take())).toEqual(['b2', 'b2', 'b2', 'b2', 'b2']);
    balancer.closed('a');
    balancer.closed('a');
    expect(spread(balancer, ['a', 'b2'])).toEqual([3, 5]);
    expect(balancer.take()).toBe('a');
  });

  it('hands nothing to a removed worker, and answers undefined with none ready', () => {
    const balancer = new LeastConnections<string>();
    expect(balancer.take()).toBeUndefined();
    balancer.add('a');
    balancer.remove('a');
    expect(balancer.take()).toBeUndefined();
    balancer.closed('a');
    expect(balancer.count('a')).toBeUndefined();
  });

  it('never counts below zero', () => {
    const balancer = new LeastConnections<string>();
    balancer.add('a');
    balancer.closed('a');
    expect(balancer.count('a')).toBe(0);
  });
});
