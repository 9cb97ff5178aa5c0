// playground.test.mjs — the GraphiQL playground dagd serves offline from its
// binary: at the HTTP level (content negotiation on /graphql, the embedded
// assets with their types, ETags and cache headers, the path prefix), then in
// a real browser (Debian's chromium driven by playwright-core): the page loads
// with no request leaving dagd's origin, a query typed into the editor runs
// and shows its result, the docs explorer lists the schema, and a
// subscription (dagd's test subscription, --test-subscriptions) runs over
// the WebSocket below the path prefix. A screenshot goes to $ARTIFACTS, else
// test-artifacts/ beside the dagd binary.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { DAGD, startServer } from './server.mjs';

const version = execFileSync(DAGD, ['--version'], { encoding: 'utf8' }).trim().split(' ')[1];
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = process.env.ARTIFACTS || path.join(path.dirname(DAGD), 'test-artifacts');
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

const ASSETS = {
  'react.production.min.js': 'text/javascript',
  'react-dom.production.min.js': 'text/javascript',
  'graphiql.min.js': 'text/javascript',
  'graphiql.min.css': 'text/css',
  'playground.js': 'text/javascript',
};

async function fetchPage(url, accept = BROWSER_ACCEPT) {
  const res = await fetch(url, { headers: { accept } });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

function unescapeAttr(v) {
  const named = { amp: '&', quot: '"', lt: '<', gt: '>', '#39': "'" };
  return v.replace(/&(amp|quot|lt|gt|#39);/g, (_, n) => named[n]);
}

/** The asset URLs the page links to: { name: absolute URL }. */
function linkedAssets(html, base) {
  const out = {};
  for (const m of html.matchAll(/(?:src|href)="([^"]*\/graphql\/static\/([^"?]+)[^"]*)"/g)) {
    out[m[2]] = new URL(unescapeAttr(m[1]), base).href;
  }
  return out;
}

describe('the playground over HTTP', () => {
  let s;
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    assert.equal(await s.stop(), 0);
  });

  test('GET /graphql from a browser answers the page; API clients keep JSON', async () => {
    const page = await fetchPage(s.url);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(page.headers.get('vary'), 'Accept');
    assert.match(page.headers.get('content-security-policy'), /default-src 'self'/);
    assert.match(page.text, /<div id="graphiql" data-endpoint="\/graphql"/);
    assert.match(page.text, new RegExp(`data-version="${version.replaceAll('.', '\\.')}"`));
    assert.doesNotMatch(page.text, /\{\{/, 'every placeholder is filled in');
    assert.doesNotMatch(page.text, /https?:\/\//, 'the page links nothing outside dagd');
    assert.deepEqual(Object.keys(linkedAssets(page.text, s.base)).sort(), Object.keys(ASSETS).sort());

    // text/html must be preferred: wildcards and JSON named as high keep the API.
    for (const accept of ['*/*', 'application/json', 'text/html, application/json', 'application/json, text/html;q=0.9', '']) {
      const r = await fetchPage(`${s.url}?query=${encodeURIComponent('{ version }')}`, accept);
      assert.equal(r.status, 200, accept);
      assert.deepEqual(JSON.parse(r.text), { data: { version } }, accept);
    }
    const html = await fetchPage(s.url, 'text/html;q=0.9, application/json;q=0.5');
    assert.match(html.text, /<!doctype html>/);
    // POST is always the API, whatever Accept says; text/html alone is not acceptable there.
    const post = await fetch(s.url, {
      method: 'POST',
      headers: { accept: BROWSER_ACCEPT, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ version }' }),
    });
    assert.deepEqual(await post.json(), { data: { version } });
    const head = await fetch(s.url, { method: 'HEAD', headers: { accept: BROWSER_ACCEPT } });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-type'), 'text/html; charset=utf-8');
  });

  test('the linked assets load with their types and are cached by content', async () => {
    const page = await fetchPage(s.url);
    const linked = Object.entries(linkedAssets(page.text, s.base));
    assert.equal(linked.length, Object.keys(ASSETS).length);
    for (const [name, url] of linked) {
      const res = await fetch(url);
      const body = Buffer.from(await res.arrayBuffer());
      assert.equal(res.status, 200, name);
      assert.equal(res.headers.get('content-type'), `${ASSETS[name]}; charset=utf-8`, name);
      assert.equal(res.headers.get('content-length'), String(body.length), name);
      assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable', name);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', name);
      const etag = res.headers.get('etag');
      assert.match(etag, /^"[0-9a-f]{20}"$/, name);
      assert.equal(`"${new URL(url).searchParams.get('v')}"`, etag, `${name}: ?v= is the content tag`);

      // Without the tag (or with a stale one) the asset revalidates.
      const plain = await fetch(`${s.base}/graphql/static/${name}?v=stale`);
      assert.equal(plain.headers.get('cache-control'), 'no-cache', name);
      assert.equal(Buffer.from(await plain.arrayBuffer()).compare(body), 0, name);
      for (const inm of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
        const again = await fetch(url, { headers: { 'if-none-match': inm } });
        assert.equal(again.status, 304, `${name} ${inm}`);
        assert.equal((await again.text()).length, 0);
        assert.equal(again.headers.get('etag'), etag);
      }
      const changed = await fetch(url, { headers: { 'if-none-match': '"0000"' } });
      assert.equal(changed.status, 200, name);
      await changed.arrayBuffer();
    }
    const react = await (await fetch(`${s.base}/graphql/static/react.production.min.js`)).text();
    assert.match(react, /\.version="18\.\d+\.\d+"/, 'react 18 production build');
    const graphiql = await (await fetch(`${s.base}/graphql/static/graphiql.min.js`)).text();
    assert.match(graphiql, /window\.GraphiQL = /, 'the graphiql UMD build');
  });

  test('/favicon.ico answers 204, so browsers log no 404 for it', async () => {
    const r = await fetch(`${s.base}/favicon.ico`);
    assert.equal(r.status, 204);
    assert.equal((await r.text()).length, 0);
    assert.match(r.headers.get('cache-control'), /max-age=\d+/);
  });

  test('unknown assets, the raw template and other methods are refused', async () => {
    for (const name of ['nope.js', 'playground.html', '', '../server_info', 'graphiql.min.js/x']) {
      const r = await fetch(`${s.base}/graphql/static/${name}`);
      assert.equal(r.status, 404, name);
      await r.text();
    }
    const r = await fetch(`${s.base}/graphql/static/playground.js`, { method: 'POST', body: 'x' });
    assert.equal(r.status, 405);
    assert.equal(r.headers.get('allow'), 'GET, HEAD');
    await r.text();
  });

  test('--path-prefix: the page, its links and its endpoint are below the prefix', async () => {
    const p = await startServer(['--path-prefix', '/dag"ster/']);
    try {
      const page = await fetchPage(p.url);
      assert.equal(page.status, 200);
      assert.match(page.text, /data-endpoint="\/dag&quot;ster\/graphql"/, 'escaped for the attribute');
      const assets = linkedAssets(page.text, p.base);
      assert.equal(Object.keys(assets).length, Object.keys(ASSETS).length);
      for (const url of Object.values(assets)) {
        assert.ok(new URL(url).pathname.startsWith('/dag%22ster/graphql/static/'), url);
        const res = await fetch(url);
        assert.equal(res.status, 200, url);
        await res.arrayBuffer();
      }
      const outside = await fetch(`${p.base}/graphql/static/playground.js`);
      assert.equal(outside.status, 404);
      await outside.text();
    } finally {
      assert.equal(await p.stop(), 0);
    }
  });
});

const chromiumMissing = fs.existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is not installed (scripts/install-deps.sh installs Debian's chromium); set CHROMIUM to another path`;

describe('the playground in headless chromium', { skip: chromiumMissing }, () => {
  let chromium, context, profile;
  before(async () => {
    ({ chromium } = await import('playwright-core'));
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'dagd-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1280, height: 800 },
    });
  });
  after(async () => {
    await context?.close();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  });

  /** Opens the playground of server s in a new page, recording every request, error and message. */
  async function open(s, url) {
    const page = await context.newPage();
    const seen = { requests: [], failed: [], errors: [], console: [] };
    page.on('request', (r) => seen.requests.push(r.url()));
    page.on('requestfailed', (r) => seen.failed.push(`${r.url()}: ${r.failure()?.errorText}`));
    page.on('response', (r) => r.status() >= 400 && seen.failed.push(`${r.url()}: ${r.status()}`));
    page.on('pageerror', (e) => seen.errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && seen.console.push(`${m.text()} (${m.location()?.url})`));
    await page.goto(url ?? s.url, { waitUntil: 'load' });
    await page.locator('.graphiql-query-editor .CodeMirror').waitFor({ timeout: 20000 });
    return { page, seen };
  }

  async function runQuery(page, query) {
    await page.locator('.graphiql-query-editor .CodeMirror').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type(query);
    await page.locator('button.graphiql-execute-button').click();
    const result = page.locator('.graphiql-response .CodeMirror');
    await page.waitForFunction(
      () => /"data"|"errors"/.test(document.querySelector('.graphiql-response .CodeMirror')?.innerText ?? ''),
      null,
      { timeout: 20000 },
    );
    return result.innerText();
  }

  function assertStayedHome(s, seen) {
    const origin = new URL(s.base).origin;
    const away = seen.requests.filter((u) => !u.startsWith('data:') && new URL(u).origin !== origin);
    assert.deepEqual(away, [], 'no request leaves dagd');
    assert.ok(seen.requests.some((u) => u.includes('/graphql/static/graphiql.min.js')), seen.requests.join('\n'));
    assert.deepEqual(seen.failed, []);
    assert.deepEqual(seen.errors, []);
    assert.deepEqual(seen.console, []);
  }

  test('loads offline, runs `{ version }` and shows the result; the docs explorer lists the schema', async () => {
    const s = await startServer(['--test-subscriptions']);
    try {
      const { page, seen } = await open(s);
      const text = await runQuery(page, '{ version }');
      assert.match(text, new RegExp(`"version": "${version.replaceAll('.', '\\.')}"`));

      await page.locator('button[aria-label="Show Documentation Explorer"]').click();
      const docs = page.locator('.graphiql-doc-explorer');
      await docs.getByText('Query', { exact: true }).first().click();
      await docs.getByText('version', { exact: true }).first().waitFor({ timeout: 10000 });

      fs.mkdirSync(ARTIFACTS, { recursive: true });
      const shot = path.join(ARTIFACTS, 'playground.png');
      await page.screenshot({ path: shot });
      assert.ok(fs.statSync(shot).size > 10000, `screenshot at ${shot}`);
      assertStayedHome(s, seen);
      assert.ok(seen.requests.some((u) => u === s.url), 'queries go to the endpoint');
      await page.close();
    } finally {
      assert.equal(await s.stop(), 0);
    }
  });

  test('below --path-prefix: query and docs from the URL, a subscription over the prefixed WebSocket', async () => {
    const s = await startServer(['--path-prefix', '/dagster', '--test-subscriptions']);
    try {
      const page = await context.newPage();
      const seen = { requests: [] };
      page.on('request', (r) => seen.requests.push(`${r.method()} ${r.url()}`));
      await page.goto(`${s.url}?query=${encodeURIComponent('query Named { version }')}&docs=1`);
      await page.locator('.graphiql-query-editor .CodeMirror').waitFor({ timeout: 20000 });
      await page.locator('.graphiql-doc-explorer').getByText('query: Query').waitFor({ timeout: 10000 });
      assert.match(await page.locator('.graphiql-query-editor').innerText(), /query Named \{ version \}/);
      await page.locator('button.graphiql-execute-button').click();
      await page.waitForFunction(
        () => /"version"/.test(document.querySelector('.graphiql-response .CodeMirror')?.innerText ?? ''),
        null,
        { timeout: 20000 },
      );
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'playground-prefix.png') });
      assert.ok(seen.requests.includes(`POST ${s.base}/dagster/graphql`), seen.requests.join('\n'));
      assert.ok(seen.requests.every((r) => r.split(' ')[1].startsWith(`${s.base}/dagster/`)), seen.requests.join('\n'));

      await page.close();

      // Subscriptions go over WebSocket (graphql-transport-ws) to the same
      // endpoint; the result pane shows the events as they come, the last one
      // when the subscription completes.
      const sub = await open(s, `${s.url}?query=${encodeURIComponent('subscription { testCounter(to: 3) }')}`);
      const frames = [];
      const sockets = [];
      // Listening from the socket's creation on, so that no frame is missed.
      sub.page.on('websocket', (ws) => {
        sockets.push(ws.url());
        ws.on('framereceived', (f) => frames.push(String(f.payload)));
      });
      await sub.page.locator('button.graphiql-execute-button').click();
      await sub.page.waitForFunction(
        () => /"testCounter": 3/.test(document.querySelector('.graphiql-response .CodeMirror')?.innerText ?? ''),
        null,
        { timeout: 20000 },
      );
      await sub.page.screenshot({ path: path.join(ARTIFACTS, 'playground-subscription.png') });
      assert.match(await sub.page.locator('.graphiql-response .CodeMirror').innerText(), /"data": \{\s*"testCounter": 3\s*\}/);
      assert.deepEqual(
        frames.map((f) => JSON.parse(f)).filter((m) => m.type === 'next').map((m) => m.payload.data.testCounter),
        [1, 2, 3],
        'the events arrive in order',
      );
      assert.deepEqual(sockets, [`${s.base.replace('http:', 'ws:')}/dagster/graphql`]);
      assertStayedHome(s, sub.seen);
      await sub.page.close();
    } finally {
      assert.equal(await s.stop(), 0);
    }
  });
});
