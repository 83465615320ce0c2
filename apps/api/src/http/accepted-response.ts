/** Message of every 202 response to POST /api/v1/upload. */
export const ACCEPTED_MESSAGE = 'file upload initiated successfully';

/** Body of the 202 response to an accepted upload. */
export interface AcceptedBody {
  id: string;
  message: typeof ACCEPTED_MESSAGE;
  status_url: string;
}

/** Returns the path of an upload's status route, sent as `status_url` and `Location`. */
export function statusPath(uploadId: string): string {
  return `/api/v1/files/${uploadId}`;
}

/** Builds the body of the 202 response for an upload. */
export function acceptedBody(uploadId: string): AcceptedBody {
  return { id: uploadId, message: ACCEPTED_MESSAGE, status_url: statusPath(uploadId) };
}
