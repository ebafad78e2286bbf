import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';


/** One template environment for pages and mails; autoescape is on, so every value is HTML-escaped unless marked safe. */
export function createViews(viewsDir: string = findViewsDir()): nunjucks.Environment {
  return new nunjucks.Environment(new nunjucks.FileSystemLoader(viewsDir, { noCache: false }), { autoescape: true });
}

/** Plain-text mails are not HTML: nothing in them is escaped. */
export function createTextViews(viewsDir: string = findViewsDir()): nunjucks.Environment {
  return new nunjucks.Environment(new nunjucks.FileSystemLoader(viewsDir, { noCache: false }), { autoescape: false });
}

/** Works from the TypeScript sources (tests) and from the build under dist/. */
function findViewsDir(): string {
  const here = fileURLToPath(import.meta.url);
  const root = here.includes('/dist/') ? here.slice(0, here.indexOf('/dist/')) : here.slice(0, here.lastIndexOf('/src/'));
  return `${root}/views`;
}
