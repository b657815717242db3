import { processEnvironment } from './config/process-environment.js';
import { storeChildTasks } from './delegation/child-tasks.js';
import type { ProfileOptions } from './delegation/profiles/profile-registry.js';
import { taskKind } from './delegation/task-kind.js';
import { batonAgentKind } from './governed/baton-agent/agent-kind.js';
import { execKind } from './governed/exec-kind.js';
import type { ReleaseSecrets } from './governed/released-secrets.js';
import { vendorKind } from './governed/vendor/vendor-kind.js';
import { workspaceKind } from './governed/workspace-kind.js';
import { connectMcpTools } from './mcp/client/connect-mcp-tools.js';
import { messageKind } from './message/message-kind.js';
import type { AgentModuleLoader } from './runtime/agent-loader.js';
import {
  type RuntimeOptions as BareRuntimeOptions,
  createRuntime as createBareRuntime,
} from './runtime/create-runtime.js';
import type { AnyRunKind } from './runtime/run-kind.js';
import type { Runtime } from './runtime/types.js';

/** Options of the package's {@link createRuntime}: the runtime's, plus those of the built-in kinds. */
export interface RuntimeOptions extends BareRuntimeOptions {
  /**
   * Options of the delegation profiles the built-in `task` kind runs, e.g. `model`: the model of
   * the built-in researcher, coder and reviewer agents (`BATON_MODEL` in the CLI).
   */
  profiles?: ProfileOptions;
  /**
   * Where `exec` runs that name secrets get their values (a runner: from its plane). Without it
   * such a run fails with `secrets_unavailable`.
   */
  releaseSecrets?: ReleaseSecrets;
}

/**
 * The run kinds every Baton runtime has: `message` runs answer a session's messages through
 * the agent loop (src/message), `task` runs carry delegated work (src/delegation), `exec` runs
 * are governed sandboxed commands, `workspace` runs agents on a sandboxed workspace copy, `vendor`
 * runs a vendor coding agent (Claude Code, Codex, OpenCode) there and `agent` runs a Baton agent
 * a hand-off names there (src/governed), so any worker can resume any of them. `profiles`
 * configures the `task` kind; `loadAgentModule` lets `agent` runs load the module the plane recorded.
 */
export function defaultRunKinds(
  profiles: ProfileOptions = {},
  releaseSecrets?: ReleaseSecrets,
  loadAgentModule?: AgentModuleLoader,
): AnyRunKind[] {
  return [
    messageKind(),
    taskKind(profiles),
    execKind(releaseSecrets),
    workspaceKind(),
    vendorKind(releaseSecrets),
    batonAgentKind({ releaseSecrets, loadAgentModule }),
  ];
}

/**
 * The durable runtime over a store, with the built-in run kinds (`kinds` adds to them or
 * replaces one by name), agents' `mcpServers` connected through the MCP client unless
 * `connectAgentTools` says otherwise, background children as the store's durable tasks unless
 * `children` says otherwise, and variables looked up in the process environment unless
 * `env` says otherwise. This is the composition root's `createRuntime` (the CLI, `baton serve`,
 * the `baton-runtime` package): the runtime layer itself knows no kind and no MCP, and reads no
 * environment.
 */
export function createRuntime(options: RuntimeOptions): Runtime {
  const { profiles, releaseSecrets, ...runtimeOptions } = options;
  return createBareRuntime({
    ...runtimeOptions,
    kinds: [...defaultRunKinds(profiles, releaseSecrets, options.loadAgentModule), ...(options.kinds ?? [])],
    connectAgentTools: options.connectAgentTools ?? connectMcpTools,
    env: options.env ?? processEnvironment(),
    children: options.children ?? storeChildTasks(options.store),
  });
}
