// The CLI from sources, as bin/vision-studio.js runs the bundle: `node --import tsx cli-main.child.ts <command> ...`.
import { main } from '../../../main/cli/main';

await main();
