import { AppError } from '../http/errors.js';

/** A file that cannot be imported as a whole: nothing is changed and the admin is told why. */
export function importFileError(reason: string): AppError {
  return new AppError('validation_failed', `import file refused: ${reason}`, `The file cannot be imported: ${reason}.`);
}
