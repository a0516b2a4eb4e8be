import { backendContract } from '../contract.js';
import { megaFixture } from './helpers.js';

let n = 0;
backendContract('mega (emulator)', async () => {
  const fx = await megaFixture();
  const backend = await fx.open(`/contract/run-${++n}`);
  await backend.mkdir('');
  return { backend, cleanup: () => fx.cleanup() };
});
