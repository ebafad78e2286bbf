import type { SamlProviderConfig } from '../../config/schema.js';
import type { Runtime } from '../../runtime.js';
import { ssoFailure } from '../failure.js';
import { addSsoFormTarget } from '../form-targets.js';
import { fetchMetadata, staticIdp, withIssuer } from './idp.js';
import type { IdpDescription } from './idp-metadata.js';

const METADATA_REFRESH_MS = 60 * 60 * 1000;

/** Every provider's IdP, resolved once; metadata URLs are fetched on first use and refreshed hourly. */
export class IdpDirectory {
  private readonly fixed = new Map<string, IdpDescription>();
  private readonly fetched = new Map<string, { idp: IdpDescription; at: number }>();

  constructor(
    private readonly runtime: Runtime,
    providers: SamlProviderConfig[],
  ) {
    for (const provider of providers) {
      const idp = staticIdp(provider, `sso.providers.${runtime.config.sso.providers.indexOf(provider)}`);
      if (!idp) continue;
      this.fixed.set(provider.id, idp);
      this.remember(idp);
    }
  }

  /** The sign-in form and the claim link's Start button redirect to the IdP: CSP form-action must allow it. */
  private remember(idp: IdpDescription): void {
    addSsoFormTarget(this.runtime, idp.ssoUrl);
    addSsoFormTarget(this.runtime, idp.sloUrl);
  }

  async get(provider: SamlProviderConfig): Promise<IdpDescription> {
    const fixed = this.fixed.get(provider.id);
    if (fixed) return fixed;
    const cached = this.fetched.get(provider.id);
    if (cached && this.runtime.now().getTime() - cached.at < METADATA_REFRESH_MS) return cached.idp;
    try {
      const idp = withIssuer(await fetchMetadata(provider.idpMetadataUrl!, provider.idpIssuer), provider);
      this.fetched.set(provider.id, { idp, at: this.runtime.now().getTime() });
      this.remember(idp);
      return idp;
    } catch (error) {
      throw ssoFailure('saml_metadata_unavailable', (error as Error).message, 'sso_unavailable');
    }
  }
}

