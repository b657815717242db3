import { renderConfigurationDoc } from './configuration-doc.js';
import { renderErrorsDoc } from './errors-doc.js';

/** The documents generated from a table in the sources, by name: path and renderer. */
export const GENERATED_DOCS = {
  config: { path: 'docs/configuration.md', render: renderConfigurationDoc },
  errors: { path: 'docs/errors.md', render: renderErrorsDoc },
} as const;
