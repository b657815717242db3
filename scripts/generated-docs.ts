import { renderConfigurationDoc } from './configuration-doc.js';

/** The documents generated from a table in the sources, by name: path and renderer. */
export const GENERATED_DOCS = {
  config: { path: 'docs/configuration.md', render: renderConfigurationDoc },
} as const;
