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
    /** Upload the request is about, once a handler knows it; added to the access log. */
    uploadId: string | undefined;
  };
}
