/**
 * Browser module `upload-form.js`: posts the upload form to POST /api/v1/upload and shows
 * the API's validation error beside the field that the error body names.
 */
export const UPLOAD_FORM_SCRIPT = String.raw`
import { describeFailure, errorOf, requestApi } from './api-client.js';

const FIELDS = ['file_url', 'bucket_name', 'object_name'];

/** Wires the upload form. Calls onAccepted(id) after the API accepted an upload. */
export function setupUploadForm(onAccepted) {
  const form = document.getElementById('upload-form');
  const submit = form.querySelector('button[type="submit"]');
  const formError = document.getElementById('upload-error');
  const result = document.getElementById('upload-result');
  let sending = false;

  for (const name of FIELDS) {
    document.getElementById(name).addEventListener('input', () => showFieldError(name, ''));
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    // aria-disabled instead of disabled keeps the focus on the button while the request runs.
    if (sending) return;
    sending = true;
    submit.setAttribute('aria-disabled', 'true');
    formError.textContent = '';
    result.textContent = '';
    for (const name of FIELDS) showFieldError(name, '');

    const request = {};
    for (const name of FIELDS) request[name] = document.getElementById(name).value;
    try {
      const response = await requestApi('/api/v1/upload', { method: 'POST', json: request });
      if (response.status === 202) {
        result.dataset.uploadId = response.body.id;
        result.textContent = 'Upload of ' + request.object_name + ' accepted; it is listed below.';
        document.getElementById('object_name').value = '';
        onAccepted(response.body.id);
      } else {
        showRejection(response, formError);
      }
    } catch (error) {
      formError.textContent = 'The upload was not sent. ' + error.message;
    } finally {
      sending = false;
      submit.removeAttribute('aria-disabled');
    }
  });
}

function showRejection(response, formError) {
  const error = errorOf(response.body);
  if (error && FIELDS.includes(error.field)) {
    showFieldError(error.field, error.message);
    document.getElementById(error.field).focus();
    return;
  }
  formError.textContent = 'The API rejected the upload: ' + describeFailure(response);
}

function showFieldError(name, message) {
  const input = document.getElementById(name);
  const slot = document.getElementById(name + '-error');
  if (slot.textContent !== message) slot.textContent = message;
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}
`;
