// The session token leaves the address bar after the first load: the page keeps it in sessionStorage, replaces its
// URL, reconnects on reload, and history holds no entry with the token. A tab without it says what to open.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { sharedModelsDir, sharedSkipReason } from '../helpers/shared-models';
import { launch, openStudio, studioUrl } from './studio-page';

const skip = !sharedModelsDir ? sharedSkipReason : !studioUrl ? 'skipped: run through `npm run test:e2e` (it starts the server)' : false;

describe('session token in browser mode', { skip }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it('takes the token out of the URL, keeps it for reloads, and leaves none in history', async () => {
    const token = new URL(studioUrl).searchParams.get('token')!;
    assert.match(token, /^[0-9a-f]{48}$/);
    const { context, page, errors } = await openStudio(browser, 'light');
    assert.doesNotMatch(page.url(), /token/);
    assert.equal(
      await page.evaluate(() =>
        (globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem(
          'vision-studio.session-token',
        ),
      ),
      token,
    );
    await page.reload();
    await page.getByRole('combobox', { name: 'Model' }).waitFor({ timeout: 60_000 });
    assert.doesNotMatch(page.url(), /token/);
    // Back goes to the blank tab the test started from, forward to the page without its token.
    await page.goBack();
    assert.equal(page.url(), 'about:blank');
    await page.goForward();
    assert.doesNotMatch(page.url(), /token/);
    await page.getByRole('combobox', { name: 'Model' }).waitFor({ timeout: 60_000 });
    // (KaTeX's inlined fonts are refused by the CSP on every page at the moment; not this test's subject.)
    assert.deepEqual(
      errors.filter((e) => !/Loading the font 'data:font/.test(e)),
      [],
    );
    await context.close();
  });

  it('a new tab on the bare address asks for the printed URL', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const bare = new URL(studioUrl);
    bare.search = '';
    await page.goto(bare.href);
    await page.getByText(/open the exact URL printed by `vision-studio serve`/).waitFor({ timeout: 30_000 });
    await context.close();
  });
});
