import type { Router } from 'express';
import { caseSensitiveRouter } from '../http/router.js';
import type { Runtime } from '../runtime.js';
import type { BrandAsset } from './assets.js';

/** Logo and stylesheet under content-hashed paths: cached for a year, and a new file has a new path. */
export function brandingRoutes(runtime: Runtime): Router {
  const router = caseSensitiveRouter();
  const assets = [runtime.brand.logo, runtime.brand.stylesheet].filter((asset): asset is BrandAsset => Boolean(asset));
  for (const asset of assets) {
    router.get(asset.path, (_req, res) => {
      res.set({ 'Cache-Control': 'public, max-age=31536000, immutable', 'Content-Type': asset.contentType, 'X-Content-Type-Options': 'nosniff' });
      // An SVG opened on its own is a document of this origin: it may run nothing and load nothing.
      if (asset.contentType === 'image/svg+xml') res.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox");
      res.send(asset.bytes);
    });
  }
  return router;
}
