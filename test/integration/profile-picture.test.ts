import sharp from 'sharp';
import { newAgent, tokenFor, type Agent } from '../support/browser-agent.js';
import { acceptTerms, invite, startClaim, submitProfile } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

async function atProfileStep(): Promise<{ agent: Agent; memberId: string }> {
  const invited = await invite(h.runtime);
  const agent = newAgent(h.app);
  await startClaim(agent, invited.claimUrl);
  await acceptTerms(agent);
  return { agent, memberId: invited.id };
}

async function upload(agent: Agent, file: Buffer, filename: string, contentType: string) {
  const token = await tokenFor(agent, '/claim/flow/profile');
  return agent.post('/claim/flow/profile').field('_csrf', token).field('name', 'Pic Ture').attach('picture', file, { filename, contentType });
}

/** A JPEG carrying EXIF with a camera make and GPS-like comment, as a phone would write it. */
async function photoWithMetadata(): Promise<Buffer> {
  return sharp({ create: { width: 800, height: 600, channels: 3, background: { r: 200, g: 30, b: 30 } } })
    .jpeg()
    .withExif({ IFD0: { Make: 'SecretCam', ImageDescription: 'home at 51.5007,-0.1246' } })
    .toBuffer();
}

describe('profile picture', () => {
  it('accepts a real image, squares and resizes it, and strips its metadata', async () => {
    const { agent, memberId } = await atProfileStep();
    const photo = await photoWithMetadata();
    expect((await sharp(photo).metadata()).exif).toBeDefined();
    const res = await upload(agent, photo, 'me.jpg', 'image/jpeg');
    expect(res.status).toBe(303);
    const { db } = h.runtime;
    const flow = await db.source.manager.findOneByOrFail(db.entities.ClaimFlow, { memberId });
    const stored = await db.source.manager.findOneByOrFail(db.entities.Picture, { flowId: flow.id });
    const meta = await sharp(stored.bytes).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 256, height: 256 });
    expect(meta.exif).toBeUndefined();
    expect(stored.bytes.includes(Buffer.from('SecretCam'))).toBe(false);
  });

  // Attack: a script or HTML file uploaded with an image name and type, to be served back later.
  it('refuses a non-image whatever its declared type and name', async () => {
    const { agent } = await atProfileStep();
    const res = await upload(agent, Buffer.from('<svg onload="alert(1)"></svg><script>alert(1)</script>'), 'cat.png', 'image/png');
    expect(res.status).toBe(400);
    expect(res.text).toContain('not an image we can read');
    expect(res.text).toContain('There is a problem');
  });

  // Attack: exhausting memory or disk with a huge upload.
  it('refuses an oversized file with a clear message and keeps the member on the step', async () => {
    const { agent } = await atProfileStep();
    const big = await sharp({ create: { width: 2000, height: 2000, channels: 3, background: '#888' } }).png({ compressionLevel: 0 }).toBuffer();
    expect(big.length).toBeGreaterThan(h.config.firstAccess.profile.pictureMaxBytes);
    const res = await upload(agent, big, 'big.png', 'image/png');
    expect(res.status).toBe(413);
    expect(res.text).toContain('The picture is too large');
    await agent.get('/claim/flow').expect(303).expect('location', '/claim/flow/profile');
  });

  it('keeps a good picture when another field needs fixing, so it need not be chosen again', async () => {
    const { agent, memberId } = await atProfileStep();
    const token = await tokenFor(agent, '/claim/flow/profile');
    const res = await agent.post('/claim/flow/profile').field('_csrf', token).field('name', '').attach('picture', await photoWithMetadata(), { filename: 'me.jpg', contentType: 'image/jpeg' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Your picture is saved');
    await submitProfile(agent, { name: 'Fixed Name' });
    const { db } = h.runtime;
    const flow = await db.source.manager.findOneByOrFail(db.entities.ClaimFlow, { memberId });
    expect(JSON.parse(flow.data).profile.pictureId).toEqual(expect.any(String));
  });

  // Attack: malformed multipart bodies, and uploads from someone with no claim in progress.
  it('answers a malformed multipart body with 400, and buffers nothing without a claim in progress', async () => {
    const { agent } = await atProfileStep();
    const token = await tokenFor(agent, '/claim/flow/profile');
    const truncated = `--XYZ\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${token}\r\n--XYZ\r\nContent-Disposition: form-data; name="picture"; filename="a.png"\r\n\r\nabc`;
    const broken = await agent.post('/claim/flow/profile').set('Content-Type', 'multipart/form-data; boundary=XYZ').send(truncated);
    expect(broken.status).toBe(400);
    const noBoundary = await agent.post('/claim/flow/profile').set('Content-Type', 'multipart/form-data').send('garbage');
    expect(noBoundary.status).toBe(400);
    const stranger = await newAgent(h.app).post('/claim/flow/profile').attach('picture', Buffer.alloc(1000), 'x.png');
    expect(stranger.status).toBe(400);
    expect(stranger.text).toContain('claim_flow_missing');
  });

  // Attack: a decompression bomb: a small file that decodes to billions of pixels.
  it('refuses an image whose pixel count is absurd', async () => {
    const { agent } = await atProfileStep();
    const bomb = await sharp({ create: { width: 7000, height: 7000, channels: 3, background: '#000' } }).greyscale().png({ compressionLevel: 9, palette: true, colours: 2 }).toBuffer();
    expect(bomb.length).toBeLessThan(h.config.firstAccess.profile.pictureMaxBytes);
    const res = await upload(agent, bomb, 'bomb.png', 'image/png');
    expect(res.status).toBe(400);
  });
});
