// vision-studio <command> ...: the same engine as the desktop app, in process.
import '../runtime/no-telemetry'; // first: before anything loads ONNX Runtime
import { StudioError } from '../api/contract';
import { APP_VERSION } from '../version';
import { adversarialCommand, adversarialHelp } from './commands/adversarial';
import { camCommand, camHelp } from './commands/cam';
import { visualizeCommand, visualizeHelp } from './commands/visualize';
import { classifyCommand, classifyHelp } from './commands/classify';
import { serveCommand, serveHelp } from './commands/serve';
import { modelsCommand } from './commands/models';
import { runsCommand, runsHelp } from './commands/runs';
import { dreamCommand, dreamHelp } from './commands/dream';
import { invertCommand, invertHelp } from './commands/invert';
import { styleCommand, styleHelp } from './commands/style';
import { textureCommand, textureHelp } from './commands/texture';
import { gradCommand, gradHelp } from './commands/grad';
import { layersCommand, layersHelp } from './commands/layers';
import { evaluateCommand, evaluateHelp, trainCommand, trainHelp } from './commands/train';
import { playgroundCommand, playgroundHelp } from './commands/playground';
import { projectCommand, projectHelp } from './commands/project';
import { EXIT, stdio, UsageError, type CliIO } from './io';

type Command = { run: (argv: string[], io: CliIO) => Promise<number>; summary: string; help?: string };

const COMMANDS: Record<string, Command> = {
  classify: { run: classifyCommand, summary: 'top-k classes of images or folders', help: classifyHelp },
  cam: { run: camCommand, summary: 'class activation map (CAM, Grad-CAM, ...) of a photo as a PNG overlay', help: camHelp },
  visualize: { run: visualizeCommand, summary: 'class visualisation by gradient ascent on a class score', help: visualizeHelp },
  adversarial: { run: adversarialCommand, summary: 'adversarial example (FGSM, PGD) with the smallest flipping ε', help: adversarialHelp },
  dream: { run: dreamCommand, summary: 'DeepDream: amplify what a layer sees in a photo', help: dreamHelp },
  invert: { run: invertCommand, summary: "rebuild a photo from one layer's features (strip for several)", help: invertHelp },
  texture: { run: textureCommand, summary: 'grow a texture from a sample (Gatys 2015)', help: textureHelp },
  style: { run: styleCommand, summary: 'paint a photo in the style of other images (Gatys 2016)', help: styleHelp },
  layers: { run: layersCommand, summary: 'readable layer names, shapes, receptive fields and roles of a model', help: layersHelp },
  grad: { run: gradCommand, summary: 'd(objective)/d(input) of a model as a float32 .npy', help: gradHelp },
  train: { run: trainCommand, summary: 'train a classifier on folders of images (from scratch or transfer learning)', help: trainHelp },
  evaluate: {
    run: evaluateCommand,
    summary: 'accuracy, confusion matrix and per-class scores of a model on a labelled folder',
    help: evaluateHelp,
  },
  playground: { run: playgroundCommand, summary: "an optimiser's path on a 2-D test surface (float64)", help: playgroundHelp },
  project: { run: projectCommand, summary: "a folder's embeddings laid out by PCA, UMAP or t-SNE", help: projectHelp },
  models: { run: modelsCommand, summary: 'list, pull (download) or import models' },
  runs: { run: runsCommand, summary: 'list, show, export, import or delete logged runs', help: runsHelp },
  serve: { run: serveCommand, summary: 'run the studio in browser mode on 127.0.0.1', help: serveHelp },
};

const HELP = `Vision Studio ${APP_VERSION}: see what a CNN sees.

Usage: vision-studio <command> [options]    (vision-studio <command> --help for details)

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`)
  .join('\n')}

Environment: VISION_STUDIO_HOME chooses the data folder (models, run log).`;

export async function runCli(argv: string[], io: CliIO = stdio): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(HELP);
    return name ? EXIT.ok : EXIT.usage;
  }
  if (name === '--version' || name === '-v') return (io.out(APP_VERSION), EXIT.ok);
  const command = COMMANDS[name];
  if (!command) {
    io.err(`vision-studio: unknown command "${name}" (try vision-studio --help)`);
    return EXIT.usage;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError || (e as NodeJS.ErrnoException)?.code?.startsWith?.('ERR_PARSE_ARGS')) {
      io.err(`vision-studio ${name}: ${(e as Error).message}`);
      if (command.help) io.err(command.help.split('\n')[0]);
      return EXIT.usage;
    }
    if (e instanceof StudioError) {
      io.err(`vision-studio ${name}: ${e.message}`);
      return EXIT.failure;
    }
    io.err(`vision-studio ${name}: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return EXIT.failure;
  }
}

// Run when executed as the CLI bundle (bin/vision-studio.js imports this file and calls runCli itself).
export async function main(): Promise<void> {
  // `vision-studio layers ... | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  const code = await runCli(process.argv.slice(2));
  process.exitCode = code;
}
