// The create commands' usage errors (exit 2 with a one-line reason) and help texts; no model needed.
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../../main/cli/main';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (s) => (out += s + '\n'), err: (s) => (err += s + '\n') });
  return { code, out, err };
}

describe('create CLI usage', () => {
  it('lists the four commands in the help', async () => {
    const { out } = await run(['--help']);
    for (const c of ['dream', 'invert', 'texture', 'style']) expect(out).toMatch(new RegExp(`^  ${c}\\s`, 'm'));
  });

  it.each([
    [['dream', '--out', 'x.png'], /--image FILE is required/],
    [['invert', '--image', 'a.png', '--out', 'x.png'], /--layer NAME is required/],
    [['texture', '--sample', 'a.png', '--optimiser', 'sgd', '--out', 'x.png'], /--optimiser takes lbfgs or adam/],
    [['style', '--content', 'a.png', '--out', 'x.png'], /--style FILE is required/],
    [
      ['style', '--content', 'a.png', '--style', 'b.png', '--style', 'c.png', '--style-blend', '1', '--out', 'x.png'],
      /--style-blend needs 2 weights/,
    ],
    [['style', '--content', 'a.png', '--style', 'b.png', '--init', 'zeros', '--out', 'x.png'], /--init takes content, noise or style/],
  ])('%j is a usage error', async (args, why) => {
    const { code, err } = await run(args);
    expect(code).toBe(2);
    expect(err).toMatch(why);
  });

  it("prints each command's help with the documented --json keys", async () => {
    for (const c of ['dream', 'invert', 'texture', 'style']) {
      const { code, out } = await run([c, '--help']);
      expect(code).toBe(0);
      expect(out).toContain('{"out","steps","loss_start","loss_end","ms","peak_rss_mb"}');
    }
  });
});
