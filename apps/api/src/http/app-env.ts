import type { Logger } from '@fileflow/adapters';
import type { Principal } from '../auth/authenticator.ts';

/** Hono context variables of the API. */
export interface AppEnv {
  Variables: {
    logger: Logger;
    requestId: string;
    ownerId: string | null;
    /** API key of the request, once authenticated. */
    principal: Principal | undefined;
    /** Id of the upload the request concerns, set by its handler and added to the access log. */
    uploadId: string | undefined;
  };
}
