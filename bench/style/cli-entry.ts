// Runs the real CLI in its own process, so the bench measures its wall time and peak RSS alone.
import { main } from '../../main/cli/main';
await main();
