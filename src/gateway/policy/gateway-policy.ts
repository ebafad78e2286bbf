import type { IncomingMessage } from 'node:http';
import type { Runtime } from '../../runtime.js';
import { accessPolicy, type AccessPolicy } from './access.js';
import { compileRoutes, type RouteTable } from './route-table.js';

export interface GatewayPolicy {
  table: RouteTable;
  access: AccessPolicy;
}

const compiled = new WeakMap<Runtime, GatewayPolicy>();

/** The routes compiled once per runtime, shared by the proxy and forward auth so both decide alike. */
export function gatewayPolicy(runtime: Runtime): GatewayPolicy {
  let policy = compiled.get(runtime);
  if (!policy) {
    policy = { table: compileRoutes(runtime.config), access: accessPolicy(runtime) };
    compiled.set(runtime, policy);
  }
  return policy;
}

/** The path of an origin-form target (as normaliseRequestTarget leaves req.url), without its query. */
export function targetPath(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const end = url.indexOf('?');
  return end === -1 ? url : url.slice(0, end);
}
