import type { Logger } from '@fileflow/adapters';

/** Hono context variables of the API. */
export interface AppEnv {
  Variables: {
    logger: Logger;
    requestId: string;
    ownerId: string | null;
    /** Upload the request is about, once a handler knows it; added to the access log. */
    uploadId: string | undefined;
  };
}
