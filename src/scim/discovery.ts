import { ENTERPRISE_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from './schemas.js';

type Json = Record<string, unknown>;

const attr = (name: string, extra: Json = {}): Json => ({
  name, type: 'string', multiValued: false, required: false, caseExact: false, mutability: 'readWrite', returned: 'default', uniqueness: 'none', ...extra,
});
const multi = (name: string, subs: Json[]): Json => ({ ...attr(name, { type: 'complex', multiValued: true }), subAttributes: subs });
const valueTypePrimary = [attr('value'), attr('type'), attr('primary', { type: 'boolean' })];

export function serviceProviderConfig(baseUrl: string, maxResults: number): Json {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    documentationUri: `${baseUrl}/scim/v2`,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [{
      type: 'oauthbearertoken', name: 'Bearer token', primary: true,
      description: 'A per-client token from `claimgate scim token create --name <client>`, sent as Authorization: Bearer <token>.',
    }],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/scim/v2/ServiceProviderConfig` },
  };
}

export function resourceTypes(baseUrl: string): Json[] {
  return [
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'], id: 'User', name: 'User', endpoint: '/Users', description: 'Members',
      schema: USER_SCHEMA, schemaExtensions: [{ schema: ENTERPRISE_SCHEMA, required: false }],
      meta: { resourceType: 'ResourceType', location: `${baseUrl}/scim/v2/ResourceTypes/User` },
    },
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'], id: 'Group', name: 'Group', endpoint: '/Groups', description: 'Assigned groups',
      schema: GROUP_SCHEMA, meta: { resourceType: 'ResourceType', location: `${baseUrl}/scim/v2/ResourceTypes/Group` },
    },
  ];
}

/** The attributes claimgate reads and returns; others of RFC 7643 are accepted on input and not kept. */
export function schemas(baseUrl: string): Json[] {
  const schema = (id: string, name: string, attributes: Json[]) => ({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'], id, name, attributes,
    meta: { resourceType: 'Schema', location: `${baseUrl}/scim/v2/Schemas/${id}` },
  });
  return [
    schema(USER_SCHEMA, 'User', [
      attr('id', { mutability: 'readOnly', returned: 'always', uniqueness: 'server', caseExact: true }),
      attr('externalId', { caseExact: true }),
      attr('userName', { required: true, uniqueness: 'server' }),
      { ...attr('name', { type: 'complex' }), subAttributes: [attr('formatted'), attr('givenName'), attr('familyName')] },
      attr('displayName'), attr('title'), attr('locale'), attr('preferredLanguage'),
      attr('active', { type: 'boolean' }),
      multi('emails', valueTypePrimary),
      multi('phoneNumbers', valueTypePrimary),
    ]),
    schema(ENTERPRISE_SCHEMA, 'EnterpriseUser', [
      attr('employeeNumber'), attr('department'),
      { ...attr('manager', { type: 'complex' }), subAttributes: [attr('value', { type: 'reference', referenceTypes: ['User'] }), attr('displayName', { mutability: 'readOnly' })] },
    ]),
    schema(GROUP_SCHEMA, 'Group', [
      attr('id', { mutability: 'readOnly', returned: 'always', uniqueness: 'server', caseExact: true }),
      attr('externalId', { caseExact: true }),
      attr('displayName', { required: true, uniqueness: 'server' }),
      multi('members', [attr('value', { type: 'reference', referenceTypes: ['User'] }), attr('display', { mutability: 'readOnly' }), attr('type')]),
    ]),
  ];
}
