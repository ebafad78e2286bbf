import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import request from 'supertest';
import { claimPath, newAgent } from '../support/browser-agent.js';
import { invite } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';
import { Like } from 'typeorm';
import { NAMESPACES } from '../../src/store/namespaces.js';

interface Received {
  from: string;
  to: string[];
  data: string;
}

async function startSmtp(): Promise<{ server: SMTPServer; port: number; inbox: Received[] }> {
  const inbox: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        inbox.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          data: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.server.address() as AddressInfo).port, inbox };
}

describe('invitation mail over SMTP', () => {
  it('delivers the invitation with the claim link to a real SMTP server', async () => {
    const smtp = await startSmtp();
    const h = await startHarness({ mail: { smtpUrl: `smtp://127.0.0.1:${smtp.port}` } });
    try {
      const invited = await invite(h.runtime, 'mail@example.com', 'Mail Person');
      expect(smtp.inbox).toHaveLength(1);
      const [mail] = smtp.inbox;
      expect(mail!.from).toBe('claimgate@example.com');
      expect(mail!.to).toEqual(['mail@example.com']);
      expect(mail!.data).toMatch(/Subject: You are invited/);
      expect(mail!.data.replace(/=\r?\n/g, '')).toContain(invited.claimUrl);
      await newAgent(h.app).get(claimPath(invited.claimUrl)).expect(200);
    } finally {
      await h.close();
      await new Promise<void>((resolve) => smtp.server.close(() => resolve()));
    }
  });
});

describe('health', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('answers /healthz and /readyz while the database and session store answer', async () => {
    await request(h.app).get('/healthz').expect(200, { status: 'ok' });
    const ready = await request(h.app).get('/readyz').expect(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { database: 'ok', sessionStore: 'ok' } });
  });

  it('keeps sessions in the database when Redis is not configured, and in Redis when it is', async () => {
    const { db } = h.runtime;
    const before = await db.source.manager.countBy(db.entities.ShortLived, { key: Like(`${NAMESPACES.sessions}%`) });
    const agent = newAgent(h.app);
    await agent.get('/login').expect(200);
    const after = await db.source.manager.countBy(db.entities.ShortLived, { key: Like(`${NAMESPACES.sessions}%`) });
    if (h.runtime.redis) {
      expect(after).toBe(before);
      expect((await h.runtime.redis.keys(`${h.config.redis.prefix}sess:*`)).length).toBeGreaterThan(0);
    } else {
      expect(after).toBe(before + 1);
    }
  });

  it('answers /readyz 503 when the database is gone', async () => {
    const broken = await startHarness();
    await broken.runtime.db.source.destroy();
    const res = await request(broken.app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.checks.database).toBe('failing');
    await broken.runtime.db.source.initialize();
    await broken.close();
  });
});
