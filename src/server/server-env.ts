import type { CallerIdentity } from '../core/tool.js';

/** Hono environment of the API app: what middleware hands to handlers. */
export interface ServerEnv {
  Variables: {
    /** The authenticated caller; passed to the runtime as `caller`. */
    caller: CallerIdentity;
    /** The request body as `limitBody` read it; unset for requests without a body. */
    requestBody: Uint8Array | undefined;
  };
}
