import sharp from 'sharp';

export const PICTURE_SIZE = 256;
const ACCEPTED_FORMATS = new Set(['jpeg', 'png', 'webp', 'gif']);
const MAX_INPUT_PIXELS = 40_000_000;

export interface ProcessedPicture {
  bytes: Buffer;
  contentType: 'image/webp';
  width: number;
  height: number;
}

export class PictureRejected extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'PictureRejected';
  }
}

/**
 * Checks the upload is a real image by decoding it (the browser's declared type and the file name are ignored),
 * then crops it to a square, resizes it and re-encodes it. Re-encoding drops EXIF, GPS, ICC and every other metadata.
 */
export async function processPicture(input: Buffer): Promise<ProcessedPicture> {
  let format: string | undefined;
  try {
    ({ format } = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS }).metadata());
  } catch {
    throw new PictureRejected('picture.unreadable');
  }
  if (!format || !ACCEPTED_FORMATS.has(format)) {
    throw new PictureRejected('picture.wrongType');
  }
  try {
    const { data, info } = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error', animated: false })
      .rotate()
      .resize(PICTURE_SIZE, PICTURE_SIZE, { fit: 'cover' })
      .webp({ quality: 82 })
      .toBuffer({ resolveWithObject: true });
    return { bytes: data, contentType: 'image/webp', width: info.width, height: info.height };
  } catch {
    throw new PictureRejected('picture.damaged');
  }
}
