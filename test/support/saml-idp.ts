import { createSign, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { DOMParser, XMLSerializer, type Document, type Element } from '@xmldom/xmldom';
import { generate } from 'selfsigned';
import { SignedXml } from 'xml-crypto';

/**
 * A SAML 2.0 identity provider run inside the test: real keys, a self-signed certificate, real XML signatures
 * (xml-crypto), the HTTP-Redirect binding for AuthnRequests and an auto-posting HTML form for responses.
 * Every part of a response can be changed, so each attack gets its own fixture.
 */

export const NS = {
  samlp: 'urn:oasis:names:tc:SAML:2.0:protocol',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
};
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const ALGORITHMS = {
  sha256: { signature: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', digest: 'http://www.w3.org/2001/04/xmlenc#sha256' },
  sha1: { signature: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1', digest: 'http://www.w3.org/2000/09/xmldsig#sha1' },
};

export interface KeyPair {
  key: string;
  cert: string;
}

export async function newKeyPair(commonName: string): Promise<KeyPair> {
  const pems = await generate([{ name: 'commonName', value: commonName }], { keySize: 2048, algorithm: 'sha256' });
  return { key: pems.private, cert: pems.cert };
}

export interface AuthnRequestSeen {
  id: string;
  acsUrl: string | null;
  issuer: string;
  relayState: string | null;
}

export interface IdpUser {
  nameId: string;
  attributes?: Record<string, string | string[]>;
}

export interface ResponseOptions {
  user: IdpUser;
  inResponseTo?: string | null;
  acsUrl: string;
  audience: string;
  destination?: string | null;
  recipient?: string | null;
  issuer?: string;
  responseIssuer?: string | null;
  assertionId?: string;
  /** Offsets from now, in seconds. */
  notBefore?: number;
  notOnOrAfter?: number;
  confirmationNotOnOrAfter?: number;
  signAssertion?: boolean;
  signResponse?: boolean;
  algorithm?: keyof typeof ALGORITHMS;
  /** Another key signs (a different IdP, or an attacker). */
  signingKey?: KeyPair;
  /** Changes the XML after the assertion is signed and before the response is signed. */
  beforeResponseSignature?: (document: Document) => void;
  /** Changes the XML text after every signature. */
  afterSigning?: (xml: string) => string;
}

const iso = (offsetSeconds: number) => new Date(Date.now() + offsetSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const escape = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
export const newId = () => `_${randomBytes(16).toString('hex')}`;

export function parse(xml: string): Document {
  return new DOMParser().parseFromString(xml, 'text/xml');
}
export function serialize(document: Document): string {
  return new XMLSerializer().serializeToString(document);
}
export function child(parent: Element | Document, ns: string, name: string): Element {
  const found = Array.from((parent as Element).childNodes ?? []).find((node) => (node as Element).localName === name && (node as Element).namespaceURI === ns);
  if (!found) throw new Error(`no ${name}`);
  return found as Element;
}

function sign(xml: string, elementName: 'Response' | 'Assertion', keys: KeyPair, algorithm: keyof typeof ALGORITHMS): string {
  const { signature, digest } = ALGORITHMS[algorithm];
  const signer = new SignedXml({ privateKey: keys.key, publicCert: keys.cert, signatureAlgorithm: signature, canonicalizationAlgorithm: EXC_C14N });
  const target = elementName === 'Response' ? "/*[local-name()='Response']" : "/*[local-name()='Response']/*[local-name()='Assertion']";
  signer.addReference({ xpath: target, transforms: [ENVELOPED, EXC_C14N], digestAlgorithm: digest });
  signer.computeSignature(xml, { prefix: 'ds', location: { reference: `${target}/*[local-name()='Issuer']`, action: 'after' } });
  return signer.getSignedXml();
}

export class SamlIdp {
  readonly entityId: string;
  readonly ssoUrl: string;
  readonly sloUrl: string;
  /** Who signs in at the next request that arrives over HTTP. */
  user: IdpUser = { nameId: 'nobody@example.com' };
  readonly requests: AuthnRequestSeen[] = [];
  /** The SessionIndex of the last assertion issued. */
  lastSessionIndex = '';

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly keys: KeyPair,
    /** Where responses are posted and who they are for (the SP under test). */
    private readonly sp: { acsUrl: string; entityId: string },
  ) {
    this.entityId = `${url}/idp`;
    this.ssoUrl = `${url}/sso`;
    this.sloUrl = `${url}/slo`;
  }

  static async start(sp: { acsUrl: string; entityId: string }, keys?: KeyPair): Promise<SamlIdp> {
    const pair = keys ?? (await newKeyPair('test-idp'));
    let idp: SamlIdp | undefined;
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://idp.invalid');
      if (url.pathname === '/metadata') {
        res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(idp!.metadata());
        return;
      }
      if (url.pathname !== '/sso' || !url.searchParams.get('SAMLRequest')) {
        res.writeHead(404).end();
        return;
      }
      const request = idp!.readRequest(url);
      const xml = idp!.respond({ user: idp!.user, inResponseTo: request.id, acsUrl: request.acsUrl ?? sp.acsUrl, audience: sp.entityId });
      res.writeHead(200, { 'content-type': 'text/html' }).end(autoPostForm(request.acsUrl ?? sp.acsUrl, xml, request.relayState));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    idp = new SamlIdp(server, `http://127.0.0.1:${port}`, pair, sp);
    return idp;
  }

  /** Decodes an HTTP-Redirect AuthnRequest the way an IdP does, and remembers it. */
  readRequest(url: URL): AuthnRequestSeen {
    const xml = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
    const root = parse(xml).documentElement!;
    if (root.localName !== 'AuthnRequest') throw new Error('not an AuthnRequest');
    const seen = {
      id: root.getAttribute('ID')!,
      acsUrl: root.getAttribute('AssertionConsumerServiceURL'),
      issuer: child(root, NS.saml, 'Issuer').textContent ?? '',
      relayState: url.searchParams.get('RelayState'),
    };
    this.requests.push(seen);
    return seen;
  }

  metadata(): string {
    const body = this.keys.cert.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    return `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${this.entityId}">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${body}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${this.sloUrl}"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${this.ssoUrl}/post"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${this.ssoUrl}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;
  }

  /** A SAML Response as XML text, signed as the options say (by default: response and assertion, RSA-SHA256). */
  respond(options: ResponseOptions): string {
    const issuer = options.issuer ?? this.entityId;
    const responseIssuer = options.responseIssuer === undefined ? issuer : options.responseIssuer;
    const inResponseTo = options.inResponseTo ?? null;
    const destination = options.destination === undefined ? options.acsUrl : options.destination;
    const recipient = options.recipient === undefined ? options.acsUrl : options.recipient;
    const confirmationLimit = iso(options.confirmationNotOnOrAfter ?? options.notOnOrAfter ?? 300);
    const attributes = Object.entries(options.user.attributes ?? {}).map(([name, value]) =>
      `<saml:Attribute Name="${escape(name)}">${(Array.isArray(value) ? value : [value]).map((item) => `<saml:AttributeValue>${escape(item)}</saml:AttributeValue>`).join('')}</saml:Attribute>`).join('');
    this.lastSessionIndex = newId();
    let xml = `<samlp:Response xmlns:samlp="${NS.samlp}" xmlns:saml="${NS.saml}" ID="${newId()}" Version="2.0" IssueInstant="${iso(0)}"${destination ? ` Destination="${escape(destination)}"` : ''}${inResponseTo ? ` InResponseTo="${escape(inResponseTo)}"` : ''}>`
      + (responseIssuer ? `<saml:Issuer>${escape(responseIssuer)}</saml:Issuer>` : '')
      + `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>`
      + `<saml:Assertion ID="${options.assertionId ?? newId()}" Version="2.0" IssueInstant="${iso(0)}">`
      + `<saml:Issuer>${escape(issuer)}</saml:Issuer>`
      + `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${escape(options.user.nameId)}</saml:NameID>`
      + `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData${inResponseTo ? ` InResponseTo="${escape(inResponseTo)}"` : ''}${recipient ? ` Recipient="${escape(recipient)}"` : ''} NotOnOrAfter="${confirmationLimit}"/></saml:SubjectConfirmation></saml:Subject>`
      + `<saml:Conditions NotBefore="${iso(options.notBefore ?? -30)}" NotOnOrAfter="${iso(options.notOnOrAfter ?? 300)}"><saml:AudienceRestriction><saml:Audience>${escape(options.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>`
      + `<saml:AuthnStatement AuthnInstant="${iso(0)}" SessionIndex="${this.lastSessionIndex}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`
      + (attributes ? `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>` : '')
      + `</saml:Assertion></samlp:Response>`;
    const keys = options.signingKey ?? this.keys;
    const algorithm = options.algorithm ?? 'sha256';
    if (options.signAssertion !== false) xml = sign(xml, 'Assertion', keys, algorithm);
    if (options.beforeResponseSignature) {
      const document = parse(xml);
      options.beforeResponseSignature(document);
      xml = serialize(document);
    }
    if (options.signResponse !== false) xml = sign(xml, 'Response', keys, algorithm);
    return options.afterSigning ? options.afterSigning(xml) : xml;
  }

  /** A response to the SP under test for a request it made, with the usual audience and ACS. */
  answer(requestId: string | null, overrides: Partial<ResponseOptions> = {}): string {
    return this.respond({ user: this.user, inResponseTo: requestId, acsUrl: this.sp.acsUrl, audience: this.sp.entityId, ...overrides });
  }

  /**
   * Where the IdP sends the browser for IdP-initiated logout: the SP's SLO URL with a LogoutRequest, signed
   * (HTTP-Redirect binding: the signature covers the query string) unless `sign` is false.
   */
  logoutRequestUrl(sloUrl: string, options: { nameId: string; sessionIndex?: string; id?: string; destination?: string; sign?: boolean; algorithm?: keyof typeof ALGORITHMS; signingKey?: KeyPair; relayState?: string }): string {
    const xml = `<samlp:LogoutRequest xmlns:samlp="${NS.samlp}" xmlns:saml="${NS.saml}" ID="${options.id ?? newId()}" Version="2.0" IssueInstant="${iso(0)}" Destination="${escape(options.destination ?? sloUrl)}">`
      + `<saml:Issuer>${escape(this.entityId)}</saml:Issuer>`
      + `<saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${escape(options.nameId)}</saml:NameID>`
      + (options.sessionIndex ? `<samlp:SessionIndex>${escape(options.sessionIndex)}</samlp:SessionIndex>` : '')
      + '</samlp:LogoutRequest>';
    return `${sloUrl}?${this.redirectQuery('SAMLRequest', xml, options)}`;
  }

  /** The IdP's LogoutResponse to an SP-initiated LogoutRequest, as the SP's SLO URL with a signed query. */
  logoutResponseUrl(sloUrl: string, inResponseTo: string): string {
    const xml = `<samlp:LogoutResponse xmlns:samlp="${NS.samlp}" xmlns:saml="${NS.saml}" ID="${newId()}" Version="2.0" IssueInstant="${iso(0)}" Destination="${escape(sloUrl)}" InResponseTo="${escape(inResponseTo)}">`
      + `<saml:Issuer>${escape(this.entityId)}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status></samlp:LogoutResponse>`;
    return `${sloUrl}?${this.redirectQuery('SAMLResponse', xml, {})}`;
  }

  private redirectQuery(kind: 'SAMLRequest' | 'SAMLResponse', xml: string, options: { sign?: boolean; algorithm?: keyof typeof ALGORITHMS; signingKey?: KeyPair; relayState?: string }): string {
    const algorithm = ALGORITHMS[options.algorithm ?? 'sha256'].signature;
    let query = `${kind}=${encodeURIComponent(deflateRawSync(Buffer.from(xml)).toString('base64'))}`;
    if (options.relayState) query += `&RelayState=${encodeURIComponent(options.relayState)}`;
    if (options.sign === false) return query;
    query += `&SigAlg=${encodeURIComponent(algorithm)}`;
    const signature = createSign(options.algorithm === 'sha1' ? 'RSA-SHA1' : 'RSA-SHA256').update(query).sign((options.signingKey ?? this.keys).key, 'base64');
    return `${query}&Signature=${encodeURIComponent(signature)}`;
  }

  /** Decodes a LogoutRequest the SP sent (HTTP-Redirect). */
  readLogoutRequest(url: URL): { id: string; destination: string | null; nameId: string; sessionIndex: string | null; signed: boolean } {
    const xml = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
    const root = parse(xml).documentElement!;
    if (root.localName !== 'LogoutRequest') throw new Error('not a LogoutRequest');
    const index = Array.from(root.childNodes).find((node) => (node as Element).localName === 'SessionIndex');
    return {
      id: root.getAttribute('ID')!,
      destination: root.getAttribute('Destination'),
      nameId: child(root, NS.saml, 'NameID').textContent ?? '',
      sessionIndex: index?.textContent ?? null,
      signed: url.searchParams.has('Signature'),
    };
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export function autoPostForm(action: string, xml: string, relayState: string | null): string {
  return `<!doctype html><html><body onload="document.forms[0].submit()"><form method="post" action="${escape(action)}">`
    + `<input type="hidden" name="SAMLResponse" value="${Buffer.from(xml).toString('base64')}">`
    + (relayState ? `<input type="hidden" name="RelayState" value="${escape(relayState)}">` : '')
    + `<noscript><button>Continue</button></noscript></form></body></html>`;
}

/** Reads the auto-posting form an IdP answers with, as a browser would before submitting it. */
export function readAutoPostForm(html: string): { action: string; SAMLResponse: string; RelayState?: string } {
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  const response = /name="SAMLResponse" value="([^"]+)"/.exec(html)?.[1];
  const relay = /name="RelayState" value="([^"]*)"/.exec(html)?.[1];
  if (!action || !response) throw new Error('no SAML form in the IdP page');
  const unescape = (value: string) => value.replace(/&quot;/g, '"').replace(/&gt;/g, '>').replace(/&lt;/g, '<').replace(/&amp;/g, '&');
  return { action: unescape(action), SAMLResponse: response, ...(relay !== undefined ? { RelayState: unescape(relay) } : {}) };
}

export interface IdpForSp {
  idp: SamlIdp;
  /** A scratch folder holding the IdP's metadata (and whatever else a test writes there). */
  folder: string;
  /** The IdP's metadata, for a provider's `idpMetadataFile`. */
  metadataFile: string;
  close(): Promise<void>;
}

/** A test IdP answering claimgate's SP at `base` for provider `corp`, its metadata written to a scratch folder. */
export async function startIdpFor(base: string): Promise<IdpForSp> {
  const idp = await SamlIdp.start({ acsUrl: `${base}/sso/saml/corp/acs`, entityId: `${base}/sso/saml/corp/metadata` });
  const folder = mkdtempSync(join(tmpdir(), 'claimgate-saml-'));
  const metadataFile = join(folder, 'idp-metadata.xml');
  writeFileSync(metadataFile, idp.metadata());
  return {
    idp, folder, metadataFile,
    async close() {
      await idp.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
