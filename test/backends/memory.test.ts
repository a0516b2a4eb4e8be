import { MemoryBackend } from '../../src/backends/memory.js';
import { backendContract } from './contract.js';

backendContract('memory', async () => ({ backend: new MemoryBackend(), cleanup: async () => {} }));
