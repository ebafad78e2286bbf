import WebSocket from 'ws';

/** A tunnel through the gateway at `base` (http://…) to the echo upstream, open and carrying messages. */
export async function openTunnel(base: string, cookie: string): Promise<WebSocket> {
  const socket = new WebSocket(`${base.replace('http:', 'ws:')}/socket`, { headers: { Cookie: cookie } });
  await new Promise<void>((resolve, reject) => socket.once('message', () => resolve()).once('error', reject));
  socket.send('ping');
  await new Promise<void>((resolve) => socket.once('message', () => resolve()));
  return socket;
}

/** How long the tunnel stayed open after `end` finished, or Infinity if it outlived `withinMs`. */
export async function closesWithin(socket: WebSocket, withinMs: number, end: () => Promise<void>): Promise<number> {
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
  await end();
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<number>((resolve) => (timer = setTimeout(() => resolve(Number.POSITIVE_INFINITY), withinMs)));
  const at = await Promise.race([closed, timeout]);
  // A timer left running would keep Jest waiting after the last test.
  clearTimeout(timer);
  socket.terminate();
  return Math.max(0, at - started);
}
