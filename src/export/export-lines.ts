import { linkTokenSigner } from '../claim/link-token.js';
import { cellEnd, wholeRecords } from './copy-records.js';
import { csvCell } from './csv.js';
import type { LinkQueue } from './link-queue.js';

const CRLF = Buffer.from('\r\n');
const NO_LINK = Buffer.from(',,\r\n');
const INVITED = 0x31; // "1"

/**
 * Turns the members COPY (a leading cell that is 1 for an invited member, then the export's cells up to
 * claimed_at) into the export's lines: each invited member whose link comes next in `links` gets its claim URL,
 * whose MAC needs the server key and so is made here, and the link's expiry. Output chunks hold whole lines.
 */
export async function* exportLines(members: AsyncIterable<Buffer>, links: LinkQueue | undefined, baseUrl: string, key: Buffer): AsyncGenerator<Buffer> {
  const prefix = `${baseUrl}/claim/`;
  // Hex ids and base64url MACs never need quoting: a prefix that needs none is copied as it is.
  const plainPrefix = csvCell(`${prefix}x`) === `${prefix}x` ? Buffer.from(prefix) : undefined;
  const tokenFor = linkTokenSigner(key);
  const urlCell = (linkId: string): Buffer => {
    const token = tokenFor(linkId);
    if (!plainPrefix) return Buffer.from(csvCell(`${prefix}${token}`));
    const cell = Buffer.allocUnsafe(plainPrefix.length + token.length);
    plainPrefix.copy(cell);
    cell.write(token, plainPrefix.length, 'latin1');
    return cell;
  };

  for await (const { data, starts, ends } of wholeRecords(members)) {
    let out = Buffer.allocUnsafe(data.length + starts.length * ((plainPrefix?.length ?? 0) + 128));
    let written = 0;
    for (let index = 0; index < starts.length; index++) {
      const start = starts[index]!;
      const end = ends[index]!;
      const invited = data[start] === INVITED;
      const cellsStart = invited ? start + 2 : start + 1;
      let link: { id: string; expires: Buffer } | undefined;
      if (links) {
        if (!links.ready()) await links.fill();
        if (links.nextIsFor(data, cellsStart, cellEnd(data, cellsStart))) link = links.take();
      }
      const url = link && invited ? urlCell(link.id) : undefined;
      const needed = written + (end - cellsStart) + (url ? url.length + link!.expires.length + 4 : NO_LINK.length);
      if (needed > out.length) {
        const larger = Buffer.allocUnsafe(Math.max(out.length * 2, needed));
        out.copy(larger, 0, 0, written);
        out = larger;
      }
      written += data.copy(out, written, cellsStart, end);
      if (url) {
        out[written++] = 0x2c;
        written += url.copy(out, written);
        out[written++] = 0x2c;
        written += link!.expires.copy(out, written);
        written += CRLF.copy(out, written);
      } else {
        written += NO_LINK.copy(out, written);
      }
    }
    yield out.subarray(0, written);
  }
  if (links && !(await links.drained())) throw new Error('the export found a claim link of a member it did not list');
}
