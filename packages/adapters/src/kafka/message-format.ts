import type { DeliveryOrigin, UploadDispatch, UploadJob } from '@fileflow/domain';
import type { IHeaders, Message } from 'kafkajs';

/** Kafka header names carried by upload messages. */
export const HEADERS = {
  attempt: 'fileflow-attempt',
  dueAt: 'fileflow-due-at',
  firstFailedAt: 'fileflow-first-failure-at',
  errorClass: 'fileflow-error-class',
  errorCode: 'fileflow-error-code',
  errorMessage: 'fileflow-error-message',
  originalTopic: 'fileflow-original-topic',
  originalPartition: 'fileflow-original-partition',
  originalOffset: 'fileflow-original-offset',
} as const;

/** Message value: the request as the API received it, plus the id. */
export interface UploadMessageValue {
  id: string;
  file_url: string;
  bucket_name: string;
  object_name: string;
}

/** Builds the Kafka message of a dispatch, keyed by upload id. */
export function toKafkaMessage(dispatch: UploadDispatch): Message {
  const { upload } = dispatch;
  const value: UploadMessageValue = {
    id: upload.id,
    file_url: upload.fileUrl,
    bucket_name: upload.bucketName,
    object_name: upload.objectName,
  };
  const headers: Record<string, string> = { [HEADERS.attempt]: String(dispatch.attempt) };
  if (dispatch.dueAt) headers[HEADERS.dueAt] = dispatch.dueAt.toISOString();
  if (dispatch.firstFailedAt) headers[HEADERS.firstFailedAt] = dispatch.firstFailedAt.toISOString();
  if (dispatch.failure) {
    headers[HEADERS.errorClass] = dispatch.failure.failureClass;
    headers[HEADERS.errorCode] = dispatch.failure.code;
    headers[HEADERS.errorMessage] = dispatch.failure.message;
  }
  if (dispatch.origin) Object.assign(headers, originHeaders(dispatch.origin));
  return { key: upload.id, value: JSON.stringify(value), headers };
}

/** Headers naming where a message was read from. */
export function originHeaders(origin: DeliveryOrigin): Record<string, string> {
  return {
    [HEADERS.originalTopic]: origin.topic,
    [HEADERS.originalPartition]: String(origin.partition),
    [HEADERS.originalOffset]: origin.offset,
  };
}

/** Reads one header as text. */
export function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

/** A parsed message, or why it could not be parsed. */
export type ParsedMessage =
  | { ok: true; job: UploadJob; dueAt: Date | null }
  | { ok: false; reason: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Parses an upload message; a missing attempt header means attempt 1. */
export function parseUploadMessage(value: Buffer | null, headers?: IHeaders): ParsedMessage {
  let body: unknown;
  try {
    body = JSON.parse(value?.toString('utf8') ?? '');
  } catch {
    return { ok: false, reason: 'message value is not valid JSON' };
  }
  const id = (body as { id?: unknown } | null)?.id;
  if (typeof id !== 'string' || !UUID.test(id)) {
    return { ok: false, reason: 'message value has no "id" field holding an upload UUID' };
  }
  const attempt = Number(headerText(headers, HEADERS.attempt) ?? '1');
  if (!Number.isInteger(attempt) || attempt < 1) {
    return { ok: false, reason: `header ${HEADERS.attempt} is not a positive integer` };
  }
  const dueText = headerText(headers, HEADERS.dueAt);
  const dueAt = dueText ? new Date(dueText) : null;
  if (dueAt && Number.isNaN(dueAt.getTime())) {
    return { ok: false, reason: `header ${HEADERS.dueAt} is not an ISO 8601 time` };
  }
  return { ok: true, job: { uploadId: id, attempt }, dueAt };
}
