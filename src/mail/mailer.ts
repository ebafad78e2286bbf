import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import nodemailer from 'nodemailer';
import type { Config } from '../config/schema.js';
import type { Logger } from '../logging/logger.js';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
  /** Where .eml files go in the embedded mode; undefined when mail goes out over SMTP. */
  readonly outboxDir: string | undefined;
}

export function outboxDirectory(config: Config): string {
  return resolve(config.mail.outboxDir ?? join(config.dataDir, 'outbox'));
}

/** SMTP when `mail.smtpUrl` is set; otherwise each message is written as an .eml file to the outbox folder. */
export function createMailer(config: Config, logger: Logger): Mailer {
  if (config.mail.smtpUrl) {
    const transport = nodemailer.createTransport(config.mail.smtpUrl);
    return {
      outboxDir: undefined,
      async send(mail) {
        const info = await transport.sendMail({ from: config.mail.from, ...mail });
        logger.info({ mail: { messageId: info.messageId, subject: mail.subject } }, 'mail sent');
      },
      close: () => transport.close(),
    };
  }
  const outboxDir = outboxDirectory(config);
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    outboxDir,
    async send(mail) {
      const info = await transport.sendMail({ from: config.mail.from, ...mail });
      mkdirSync(outboxDir, { recursive: true });
      const file = join(outboxDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`);
      writeFileSync(file, info.message as Buffer, { mode: 0o600 });
      logger.info({ mail: { file, subject: mail.subject } }, 'mail written to outbox');
    },
    close: () => transport.close(),
  };
}
