// The desktop shell's security decisions (Electron's security checklist), run as they are: electron/policy.ts has no
// `electron` import, and security.ts, app-protocol.ts and window.ts only apply what it decides. The Electron binary
// cannot be downloaded on this machine, so the shell itself never runs here; these are the choices it makes.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CSP, devUrlFrom, externalLink, isAppUrl, isTrustedUrlGiven, permissionAllowed, webPreferences } from '../../../electron/policy';

describe('desktop shell policy', () => {
  it('only app://studio pages are ours (not file://, not another host or scheme)', () => {
    expect(isAppUrl('app://studio/index.html')).toBe(true);
    for (const url of ['app://evil/index.html', 'file:///etc/passwd', 'https://studio/index.html', 'app:studio', 'nonsense'])
      expect(isAppUrl(url), url).toBe(false);
  });

  it('the dev server is trusted only unpackaged, over http on localhost, and only its own origin', () => {
    expect(devUrlFrom('http://localhost:5173/', true)).toBeNull();
    expect(devUrlFrom('http://localhost:5173/', false)).toBe('http://localhost:5173/');
    for (const env of ['https://evil.example/', 'http://192.168.1.5:5173/', 'file:///tmp/x.html', 'not a url', undefined])
      expect(devUrlFrom(env, false), String(env)).toBeNull();
    const dev = devUrlFrom('http://127.0.0.1:5173/', false);
    expect(isTrustedUrlGiven('http://127.0.0.1:5173/index.html', dev)).toBe(true);
    expect(isTrustedUrlGiven('http://127.0.0.1:5174/index.html', dev)).toBe(false);
    expect(isTrustedUrlGiven('http://127.0.0.1:5173/index.html', null)).toBe(false);
  });

  it('links open in the browser only over https to the allowlisted hosts, without credentials', () => {
    expect(externalLink('https://github.com/onnx/models')).toBe('https://github.com/onnx/models');
    for (const url of [
      'http://github.com/onnx/models',
      'https://github.com.evil.example/',
      'https://user:pw@github.com/',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'https://evil.example/',
    ])
      expect(externalLink(url), url).toBeNull();
  });

  it('every permission is denied but the clipboard write of a page of ours', () => {
    expect(permissionAllowed('clipboard-sanitized-write', true)).toBe(true);
    expect(permissionAllowed('clipboard-sanitized-write', false)).toBe(false);
    for (const p of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read', 'fullscreen'])
      expect(permissionAllowed(p, true), p).toBe(false);
  });

  it('the window is sandboxed and isolated, with no Node in the page', () => {
    expect(webPreferences('/x/preload.cjs')).toEqual({
      preload: '/x/preload.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
    });
  });

  it('the CSP allows only our own scripts: no eval, no inline script, no plugins, no framing', () => {
    const d = Object.fromEntries(CSP.split('; ').map((x) => [x.split(' ')[0], x.split(' ').slice(1)]));
    expect(d['script-src']).toEqual(["'self'"]);
    expect(d['default-src']).toEqual(["'self'"]);
    expect(d['object-src']).toEqual(["'none'"]);
    expect(d['frame-ancestors']).toEqual(["'none'"]);
    expect(CSP).not.toMatch(/unsafe-eval/);
  });

  it('electron-builder flips the fuses that would let a packaged app run as Node or load code from outside its asar', () => {
    const yml = fs.readFileSync(new URL('../../../electron-builder.yml', import.meta.url), 'utf8');
    const block = /^electronFuses:\n((?: {2}.*\n)+)/m.exec(yml)?.[1] ?? '';
    const fuses = Object.fromEntries([...block.matchAll(/^ {2}(\w+): (true|false)/gm)].map((m) => [m[1], m[2] === 'true']));
    expect(fuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('the shell is on a supported Electron major', () => {
    const pkg = JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
    const spec: string = pkg.optionalDependencies?.electron ?? pkg.devDependencies?.electron ?? pkg.dependencies?.electron;
    expect(Number(/\d+/.exec(spec)?.[0])).toBeGreaterThanOrEqual(41);
  });
});
