import type { Runtime } from '../runtime.js';

/** What the layout shows: the organisation's name, logo, stylesheet and support contact. */
export function pageBranding(runtime: Runtime) {
  const { brand } = runtime;
  return { name: brand.name, logoUrl: brand.logo?.path, stylesheetUrl: brand.stylesheet?.path, supportContact: brand.supportContact };
}
