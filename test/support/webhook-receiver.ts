import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Delivery {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  /** The parsed body when the signature verified with one of the receiver's secrets; undefined when it did not. */
  verified: unknown;
  receivedAt: number;
  /** What the receiver answered (undefined while hanging). */
  status?: number;
}

/** How the receiver answers the n-th request (0-based): a status, or 'hang' to never answer. */
export type Answer = (index: number, delivery: Delivery) => number | 'hang';

export interface Receiver {
  url: string;
  deliveries: Delivery[];
  /** Each verified webhook-id once, from the deliveries answered 2xx, in order: what a deduplicating receiver processes. */
  unique(): Delivery[];
  answer: Answer;
  /** The secrets it verifies with (any one suffices, as during a rotation). */
  secrets: string[];
  close(): Promise<void>;
}

const header = (headers: IncomingHttpHeaders, name: string) => String(headers[name] ?? '');

/** A webhook receiver on a free port that verifies every delivery with the standardwebhooks library. */
export async function startReceiver(secrets: string[], answer: Answer = () => 204): Promise<Receiver> {
  const deliveries: Delivery[] = [];
  const hanging = new Set<import('node:http').ServerResponse>();
  const receiver: Receiver = { url: '', deliveries, answer, secrets, unique: () => [], close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = { 'webhook-id': header(req.headers, 'webhook-id'), 'webhook-timestamp': header(req.headers, 'webhook-timestamp'), 'webhook-signature': header(req.headers, 'webhook-signature') };
      let verified: unknown;
      for (const secret of receiver.secrets) {
        try {
          verified = new Webhook(secret).verify(body, headers);
          break;
        } catch {
          // try the next secret
        }
      }
      const delivery: Delivery = { id: headers['webhook-id'], timestamp: headers['webhook-timestamp'], signature: headers['webhook-signature'], body, verified, receivedAt: Date.now() };
      const index = deliveries.push(delivery) - 1;
      const status = receiver.answer(index, delivery);
      if (status === 'hang') {
        hanging.add(res);
        return;
      }
      delivery.status = status;
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  receiver.unique = () => {
    const seen = new Set<string>();
    return deliveries.filter((delivery) => delivery.verified !== undefined && delivery.status !== undefined && delivery.status < 300 && !seen.has(delivery.id) && seen.add(delivery.id));
  };
  receiver.close = async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return receiver;
}
