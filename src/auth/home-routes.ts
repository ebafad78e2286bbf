import { isAdmin } from '../admin/permissions.js';
import { chosenGroupNames } from '../groups/groups.js';
import { assignedGroupNames } from '../groups/assigned.js';
import { AppError } from '../http/errors.js';
import { renderPage } from '../http/render.js';
import { requireMember } from '../http/require-member.js';
import { displayName } from '../members/lookup.js';
import type { Request, Response, Router } from 'express';
import type { Runtime } from '../runtime.js';
import { caseSensitiveRouter } from '../http/router.js';

/** claimgate's own signed-in page: who you are, and a way out. */
export function homeRoutes(runtime: Runtime): Router {
  const { db } = runtime;
  const router = caseSensitiveRouter();
  const signedIn = requireMember(runtime);

  const home = async (req: Request, res: Response) => {
    const member = req.member!;
    renderPage(runtime, req, res, 'home.njk', {
      title: 'home.title',
      member,
      displayName: displayName(member),
      groups: await chosenGroupNames(db, member.id),
      assignedGroups: await assignedGroupNames(db, member.id),
      isAdmin: isAdmin(runtime.config, member),
    });
  };
  router.get('/_claimgate/me', signedIn, home);
  // With an upstream, / belongs to it; without one, claimgate's own page is the landing page.
  if (!runtime.config.upstream.url) router.get('/', signedIn, home);

  router.get('/_claimgate/picture', signedIn, async (req, res) => {
    const pictureId = req.member!.pictureId;
    const picture = pictureId ? await db.source.manager.findOneBy(db.entities.Picture, { id: pictureId, memberId: req.member!.id }) : null;
    if (!picture) throw new AppError('not_found', 'no picture');
    res.set({ 'Content-Type': picture.contentType, 'Cache-Control': 'private, max-age=300', 'X-Content-Type-Options': 'nosniff' }).send(picture.bytes);
  });

  return router;
}
