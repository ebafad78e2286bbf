/** The stable error codes a client may see. Public messages are written for the member, never with internals. */
export const ERRORS = {
  bad_request: { status: 400, message: 'The request could not be understood.' },
  validation_failed: { status: 400, message: 'Some of the information is missing or not valid.' },
  csrf_invalid: { status: 403, message: 'This form has expired or was not sent from this site. Go back, reload the page and try again.' },
  claim_link_invalid: {
    status: 404,
    message: 'This claim link cannot be used. It may have expired, been replaced by a newer one, or already been used. Ask your administrator for a new invitation.',
  },
  access_code_invalid: { status: 400, message: 'This access code can no longer be used. Ask your administrator for a new code.' },
  recovery_link_invalid: {
    status: 404,
    message: 'This password reset link cannot be used. It may have expired, been replaced by a newer one, or already been used. Ask for a new link from the sign-in page.',
  },
  username_taken: { status: 409, message: 'That username was taken a moment ago. Choose another.' },
  claim_flow_missing: { status: 400, message: 'Your claim has not started or has expired. Open the link from your invitation again.' },
  claim_step_out_of_order: { status: 409, message: 'This step is not the one to complete now. Continue from where you are.' },
  claim_requires_sso: {
    status: 409,
    message: 'This account is claimed by signing in with your organisation\'s single sign-on, which this gateway does not offer for it. Ask your administrator.',
  },
  // Single sign-on (shared by SAML and OIDC)
  sso_failed: { status: 400, message: 'Signing in with your organisation\'s single sign-on did not work. Try again, and give the trace id below to your administrator if it keeps happening.' },
  sso_mismatch: {
    status: 403,
    message: 'You signed in at your organisation\'s single sign-on as someone other than the person this invitation is for. Sign out there, then open your invitation again and sign in as the invited person.',
  },
  sso_unavailable: { status: 502, message: 'Your organisation\'s single sign-on is not answering. Try again in a moment.' },
  sso_not_allowed: { status: 403, message: 'This account cannot sign in with single sign-on. Ask your administrator.' },
  // End of single sign-on
  claim_already_completed: { status: 409, message: 'This account has already been claimed. Sign in instead.' },
  login_failed: { status: 401, message: 'The email, username or password is not right.' },
  rate_limited: { status: 429, message: 'Too many attempts from your network. Wait a few minutes and try again.' },
  login_throttled: { status: 429, message: 'Too many attempts. Wait a few minutes and try again.' },
  not_signed_in: { status: 401, message: 'Sign in to continue.' },
  password_change_required: { status: 403, message: 'Choose a new password to continue.' },
  session_not_found: { status: 404, message: 'That session has already ended, or it is not one of yours.' },
  current_password_wrong: { status: 400, message: 'Your current password is not right.' },
  account_deactivated: { status: 403, message: 'This account has been deactivated, so it can no longer sign in. Ask your administrator if you think this is a mistake.' },
  forbidden: { status: 403, message: 'You do not have access to this page.' },
  not_found: { status: 404, message: 'There is nothing at this address.' },
  export_link_invalid: {
    status: 404,
    message: 'This download link cannot be used. It may have expired, or it was sent to another administrator. Ask for a new export.',
  },
  export_not_ready: { status: 409, message: 'The export is still being prepared. You will get an email when it is ready.' },
  export_failed: { status: 409, message: 'This export could not be written. Ask for a new one, and contact your operator if it fails again.' },
  member_action_unavailable: { status: 409, message: 'That action is not available for this member now.' },
  import_upload_missing: { status: 404, message: 'This import has expired or was already applied. Upload the file again.' },
  payload_too_large: { status: 413, message: 'The upload is too large.' },
  terms_not_accepted: { status: 403, message: 'Accept the current terms of use to continue.' },
  upstream_unavailable: { status: 502, message: 'The application behind this gateway is not answering. Try again in a moment.' },
  access_denied: { status: 403, message: 'You are signed in, but this page is not open to you. Ask your administrator if you need it.' },
  not_in_group: { status: 403, message: 'You are signed in, but not in a group that may use this.' },
  conflict: { status: 409, message: 'That conflicts with what exists already.' },
  unsupported_media_type: { status: 415, message: 'The request body is not in a content type this address accepts.' },
  // Service tokens on the admin API
  token_invalid: { status: 401, message: 'The bearer token is not valid: it is unknown, expired or revoked.' },
  token_with_session: { status: 400, message: 'Send either a bearer token or a session cookie, not both.' },
  token_not_allowed: { status: 403, message: 'Service tokens work only on the admin API (/admin/api/).' },
  service_unavailable: { status: 503, message: 'The service is temporarily unavailable. Try again shortly.' },
  internal: { status: 500, message: 'Something went wrong on our side. Try again, and contact your administrator if it keeps happening.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export class AppError extends Error {
  readonly status: number;
  readonly publicMessage: string;

  constructor(
    readonly code: ErrorCode,
    /** Private detail for logs; never shown to the client. */
    readonly detail?: string,
    publicMessage?: string,
    /**
     * The catalogue message pages show (in the reader's language); by default `errors.<code>.message` unless a
     * `publicMessage` of its own was given. `publicMessage` stays English for the CLI and logs.
     */
    readonly messageKey?: string,
    readonly messageParams?: Record<string, unknown>,
  ) {
    super(detail ?? code);
    this.name = 'AppError';
    this.status = ERRORS[code].status;
    this.publicMessage = publicMessage ?? ERRORS[code].message;
    if (!messageKey && !publicMessage) this.messageKey = `errors.${code}.message`;
  }

  get expose(): boolean {
    return this.status < 500;
  }
}
