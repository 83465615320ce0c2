import { UPLOAD_STATUSES, type UploadStatus } from '@fileflow/domain';
import { html } from 'hono/html';

/** Path under which the dashboard loads its scripts, styles and icon. */
export const DASHBOARD_ASSETS_PATH = '/dashboard/assets';

const STATUS_LABELS: Record<UploadStatus, string> = {
  pending: 'Pending',
  processing: 'Processing',
  completed: 'Completed',
  failed: 'Failed',
};

const TABLE_COLUMNS = [
  'Object',
  'Status',
  'Attempts',
  'Size',
  'Content type',
  'Last error',
  'Age',
  'Action',
];

/**
 * Renders one input of the upload form with its label, hint and error slot. The browser
 * script writes the API's error for the field into the slot, which the input names in
 * aria-describedby so screen readers read it with the field.
 */
function uploadField(id: string, label: string, type: 'url' | 'text', hint: string) {
  return html`<div class="field">
      <label for="${id}">${label}</label>
      <input id="${id}" type="${type}" autocomplete="off" spellcheck="false" required
        aria-describedby="${id}-hint ${id}-error">
      <p id="${id}-hint" class="hint">${hint}</p>
      <p id="${id}-error" class="field-error" aria-live="polite"></p>
    </div>`;
}

function counters() {
  return UPLOAD_STATUSES.map(
    (status) => html`<div class="counter" data-status="${status}">
        <dt>${STATUS_LABELS[status]}</dt>
        <dd id="count-${status}">–</dd>
      </div>`,
  );
}

function keySection() {
  // The inputs have no name attribute, so a submit without the script sends no values. The
  // key must never reach a URL or the server's access log.
  return html`<section class="panel" aria-labelledby="key-heading">
    <h2 id="key-heading">API key</h2>
    <form id="key-form" class="key-form">
      <div class="field">
        <label for="api-key">API key</label>
        <div class="inline">
          <input id="api-key" type="password" autocomplete="off" spellcheck="false"
            autocapitalize="off" aria-describedby="api-key-hint api-key-error">
          <button type="submit">Use key</button>
          <button type="button" id="forget-key" class="secondary">Forget key</button>
        </div>
        <p id="api-key-hint" class="hint">Keys start with <code>ffk_</code>. This tab keeps
          the key in session storage until it closes and sends it with every API request.</p>
        <p id="api-key-error" class="field-error" aria-live="polite"></p>
      </div>
      <p id="key-state" role="status"></p>
    </form>
    <p id="auth-error" class="alert" role="alert"></p>
  </section>`;
}

function uploadSection() {
  return html`<section class="panel" aria-labelledby="upload-heading">
    <h2 id="upload-heading">New upload</h2>
    <form id="upload-form" novalidate>
      ${uploadField('file_url', 'File URL', 'url', 'An http or https URL the server downloads.')}
      ${uploadField(
        'bucket_name',
        'Bucket',
        'text',
        '3 to 63 lowercase letters, digits, dots and hyphens.',
      )}
      ${uploadField('object_name', 'Object name', 'text', 'Key of the object, such as photos/cat.jpg.')}
      <button type="submit">Upload</button>
      <p id="upload-error" class="alert" role="alert"></p>
      <p id="upload-result" class="result" role="status"></p>
    </form>
  </section>`;
}

function uploadsSection() {
  const options = UPLOAD_STATUSES.map(
    (status) => html`<option value="${status}">${STATUS_LABELS[status]}</option>`,
  );
  const headings = TABLE_COLUMNS.map((column) => html`<th scope="col">${column}</th>`);
  return html`<section class="panel uploads" aria-labelledby="uploads-heading">
    <h2 id="uploads-heading" tabindex="-1">Recent uploads</h2>
    <div class="toolbar">
      <label for="status-filter">Status</label>
      <select id="status-filter">
        <option value="">All statuses</option>
        ${options}
      </select>
      <p id="refresh-state" class="hint">Loading…</p>
    </div>
    <p id="list-error" class="alert" role="alert"></p>
    <p id="action-error" class="alert" role="alert"></p>
    <div class="table-wrap" role="region" aria-labelledby="uploads-heading" tabindex="0">
      <table id="uploads">
        <thead><tr>${headings}</tr></thead>
        <tbody id="upload-rows"></tbody>
      </table>
    </div>
    <p id="empty-state" class="hint" hidden>No uploads to show.</p>
    <div id="announcer" class="visually-hidden" aria-live="polite"></div>
  </section>`;
}

/** Renders the dashboard page. It contains no upload data, which its script loads with the API key. */
export function renderDashboardPage() {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>FileFlow dashboard</title>
<link rel="icon" type="image/svg+xml" href="${DASHBOARD_ASSETS_PATH}/favicon.svg">
<link rel="stylesheet" href="${DASHBOARD_ASSETS_PATH}/dashboard.css">
<script type="module" src="${DASHBOARD_ASSETS_PATH}/main.js"></script>
</head>
<body>
<a class="skip-link" href="#uploads-heading">Skip to recent uploads</a>
<header class="page-header">
  <h1>FileFlow uploads</h1>
  <p class="lead">Copies files from URLs into object storage. The table below refreshes every
    second.</p>
  <h2 class="visually-hidden">Uploads by status</h2>
  <dl class="counters">${counters()}</dl>
</header>
<main>
  <noscript><p class="alert">The dashboard needs JavaScript to talk to the API.</p></noscript>
  ${keySection()}
  ${uploadSection()}
  ${uploadsSection()}
</main>
</body>
</html>
`;
}
