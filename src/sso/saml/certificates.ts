import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export class CertificateError extends Error {}

/** Turns the bare base64 of a metadata <X509Certificate> into PEM. */
export function pemFromBase64(body: string): string {
  const clean = body.replace(/\s+/g, '');
  return `-----BEGIN CERTIFICATE-----\n${clean.match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END CERTIFICATE-----\n`;
}

/** A certificate that node:crypto can read, or a CertificateError naming what is wrong. */
export function checkedCertificate(pem: string, source: string): string {
  try {
    new X509Certificate(pem);
  } catch (error) {
    throw new CertificateError(`${source}: not a readable X.509 certificate (${(error as Error).message})`);
  }
  return pem;
}

/** `value` is PEM text, bare base64, or the path of a file holding PEM. */
export function loadCertificate(value: string, source: string): string {
  const trimmed = value.trim();
  if (trimmed.startsWith('-----BEGIN CERTIFICATE-----')) return checkedCertificate(trimmed, source);
  if (/^[A-Za-z0-9+/=\s]{200,}$/.test(trimmed)) return checkedCertificate(pemFromBase64(trimmed), source);
  let text: string;
  try {
    text = readFileSync(resolve(trimmed), 'utf8');
  } catch (error) {
    throw new CertificateError(`${source}: cannot read certificate file "${trimmed}" (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return checkedCertificate(text.trim(), `${source} ("${trimmed}")`);
}

/** A PEM private key file, checked now so a typo stops the start, not the first sign-in. */
export function loadPrivateKey(file: string, source: string): string {
  let text: string;
  try {
    text = readFileSync(resolve(file), 'utf8');
  } catch (error) {
    throw new CertificateError(`${source}: cannot read key file "${file}" (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!/-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(text)) throw new CertificateError(`${source}: "${file}" is not a PEM private key`);
  return text;
}
