import { sandboxContract } from '../src/testing/sandbox-contract.js';
import { createBwrapSandbox, createUnsandboxed } from '../src/workspace/sandbox/sandbox-exec.js';

sandboxContract('bwrap', () => createBwrapSandbox());
sandboxContract('none', () => createUnsandboxed());
