// vision-studio serve: browser mode. The engine runs as a child process; the page and socket live on 127.0.0.1.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EngineClient } from '../../engine/engine-client';
import { engineEntry, forkEngine } from '../../engine/fork-engine';
import { appRoot } from '../../paths';
import { startServer } from '../../server/server';
import { EXIT, UsageError, type CliIO } from '../io';

export const serveHelp = `Usage: vision-studio serve [--port N]

Serves the studio in browser mode at http://127.0.0.1:PORT/?token=... (printed on start).
The address is bound to 127.0.0.1 and the token is required: open the exact URL printed.
  --port N   port to listen on (default: a free one)`;

export async function serveCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { port: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) return (io.out(serveHelp), EXIT.ok);
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port takes a number from 0 to 65535');
  const engine = new EngineClient(() => forkEngine(engineEntry(), { ...process.env, VISION_STUDIO_TRANSPORT: 'browser' }));
  const server = await startServer({ engine, rendererDir: path.join(appRoot(), 'out', 'renderer'), port });
  io.out(`Vision Studio is running in browser mode: ${server.url}`);
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  engine.stop();
  return EXIT.ok;
}
