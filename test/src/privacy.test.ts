// The privacy promise, checked on the wire: one recognisable secret is planted in the path,
// the query string, headers, the body, a SQL parameter, a SQL literal and the bcrypt
// password; not one byte the exporter sends may contain it (decoded or not).
import { startOtlpReceiver, startPglite } from '@tracepack/testing';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const fixture = join(__dirname, '..', '..', 'fixtures', 'privacy-app.js');

for (const protocol of ['http/protobuf', 'http/json'] as const) {
  describe(`privacy on the wire (OTLP ${protocol})`, () => {
    it('no byte the exporter sends holds the planted secret', async (t) => {
      const secret = `Zq${randomBytes(9).toString('hex')}Xv`;
      const receiver = await startOtlpReceiver();
      const db = await startPglite();
      t.after(async () => {
        await receiver.stop();
        await db.stop();
      });
      const child = spawn(process.execPath, [fixture], {
        env: { ...process.env, RECEIVER_URL: receiver.url, OTLP_PROTOCOL: protocol, DATABASE_URL: db.url },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const [line] = (await once(child.stdout, 'data')) as [Buffer];
      const { port } = JSON.parse(line.toString()) as { port: number };
      const res = await fetch(`http://127.0.0.1:${port}/users/${secret}?email=${secret}%40example.com&q=${secret}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}`, 'x-api-key': secret, cookie: `sid=${secret}` },
        body: JSON.stringify({ email: `${secret}@example.com`, password: secret }),
      });
      assert.equal(res.status, 201);
      child.kill('SIGTERM');
      await once(child, 'exit');

      // The spans are there (the check is not passing on an empty export)...
      const names = receiver.spans.map((s) => s.name);
      for (const name of ['POST /users/:id', 'INSERT people', 'SELECT people', 'bcrypt.hash', 'bcrypt.compare', 'GET']) {
        assert.ok(names.includes(name), `missing ${name} in ${JSON.stringify(names)}`);
      }
      const select = receiver.spans.find((s) => s.name === 'SELECT people')!;
      assert.equal(select.attributes['db.query.text'], 'SELECT name FROM people WHERE name = ? AND email <> ?');
      // ...and no byte of any request body holds the secret, in any spelling we can think of.
      const bodies = receiver.requests.filter((r) => r.body !== undefined).map((r) => r.body!);
      assert.ok(bodies.length > 0);
      const wire = Buffer.concat(bodies);
      for (const needle of [secret, secret.toLowerCase(), Buffer.from(secret).toString('base64'), encodeURIComponent(`${secret}@example.com`), '$2b$']) {
        assert.equal(wire.includes(needle), false, `"${needle}" reached the wire`);
      }
    });
  });
}
