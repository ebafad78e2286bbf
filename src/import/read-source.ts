import { AppError } from '../http/errors.js';

export type ImportSource = Buffer | Uint8Array | AsyncIterable<Buffer | Uint8Array | string>;

/** Reads the whole upload, refusing it as soon as it passes `maxBytes` so an oversized file is never held in memory. */
export async function readUpTo(source: ImportSource, maxBytes: number): Promise<Buffer> {
  const tooLarge = () => new AppError('payload_too_large', 'import file over the limit', `The file is larger than ${maxBytes} bytes, the import limit.`);
  if (source instanceof Uint8Array) {
    if (source.byteLength > maxBytes) throw tooLarge();
    return Buffer.from(source.buffer, source.byteOffset, source.byteLength);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    total += bytes.byteLength;
    if (total > maxBytes) throw tooLarge();
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, total);
}
