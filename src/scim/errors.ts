import type { Response } from 'express';

export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const SCIM_CONTENT_TYPE = 'application/scim+json';

/** RFC 7644 §3.12 `scimType` values that claimgate answers with. */
export type ScimType =
  | 'invalidFilter' | 'tooMany' | 'uniqueness' | 'mutability' | 'invalidSyntax' | 'invalidPath' | 'noTarget' | 'invalidValue' | 'invalidVers';

/**
 * A refusal in the SCIM error format. `detail` is shown to the client (an IdP's provisioning log), so it names the
 * problem with what was sent and never anything internal.
 */
export class ScimError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly scimType?: ScimType,
    /** The reason recorded in the audit row of a refused write (a short stable word). */
    readonly reason: string = scimType ?? String(status),
  ) {
    super(detail);
    this.name = 'ScimError';
  }
}

export const badValue = (detail: string) => new ScimError(400, detail, 'invalidValue');
export const badSyntax = (detail: string) => new ScimError(400, detail, 'invalidSyntax');
export const notFound = (what: string) => new ScimError(404, `${what} not found`, undefined, 'not_found');

export function sendScimError(res: Response, error: ScimError): void {
  res.status(error.status).type(SCIM_CONTENT_TYPE).set('Cache-Control', 'no-store').send(JSON.stringify({
    schemas: [SCIM_ERROR_SCHEMA],
    status: String(error.status),
    ...(error.scimType ? { scimType: error.scimType } : {}),
    detail: error.detail,
  }));
}
