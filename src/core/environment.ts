/**
 * Environment variables as the library receives them: an object its caller passes down
 * (`createRuntime({ env })`), never the process's own read by a deep module. A missing or empty
 * value counts as unset wherever Baton looks one up.
 */
export type Environment = Readonly<Record<string, string | undefined>>;
