/**
 * Browser module `uploads-table.js`: the rows of the uploads table, with a download link for
 * completed uploads and a replay button for failed ones. Rows are updated in place, so the
 * polling does not move the keyboard focus or rewrite unchanged cells.
 */
export const UPLOADS_TABLE_SCRIPT = String.raw`
import { describeFailure, requestApi } from './api-client.js';

// A presigned URL loaded longer ago than this is loaded again when its link is clicked, so the
// link works unless the API presigns URLs for less than 30 s.
// NOTE: a middle click or "open in new tab" fires no click event, so it opens the cached URL,
// which expires FILEFLOW_PRESIGN_EXPIRY_SECONDS after it was loaded.
const LINK_MAX_AGE_MS = 30000;

const COLUMNS = ['object', 'status', 'attempts', 'size', 'type', 'error', 'age', 'action'];

// Value each cell shows, so a render rewrites only the cells that changed.
const shownValues = new WeakMap();

/** Rows of the uploads table, keyed by upload id. */
export class UploadsTable {
  /**
   * announce(message) reads a message to screen readers, showError(message) shows a failed
   * action, onReplayed() runs after a replay was queued, and focusFallback() moves the focus
   * when the focused row leaves the table.
   */
  constructor(tbody, { announce, showError, onReplayed, focusFallback }) {
    this.tbody = tbody;
    this.announce = announce;
    this.showError = showError;
    this.onReplayed = onReplayed;
    this.focusFallback = focusFallback;
    this.rows = new Map();
    this.links = new Map();
    this.linkRequests = new Set();
    tbody.addEventListener('click', (event) => this.handleClick(event));
  }

  /** Shows items in their order and announces status changes of rows already shown. */
  render(items, now) {
    const listedIds = new Set();
    items.forEach((item, index) => {
      listedIds.add(item.id);
      let entry = this.rows.get(item.id);
      if (!entry) {
        entry = createRow(item.id);
        this.rows.set(item.id, entry);
      } else if (entry.item.status !== item.status) {
        this.announce(nameOf(item) + ' is now ' + item.status + '.');
      }
      entry.item = item;
      this.updateRow(entry, now);
      const current = this.tbody.children[index];
      if (current !== entry.row) this.tbody.insertBefore(entry.row, current || null);
    });
    for (const [id, entry] of this.rows) {
      if (!listedIds.has(id)) this.removeRow(id, entry);
    }
  }

  /** Removes every row and clears the cached download links, as after a change of API key. */
  clear() {
    for (const [id, entry] of this.rows) this.removeRow(id, entry);
    this.links.clear();
  }

  removeRow(id, entry) {
    const hadFocus = entry.row.contains(document.activeElement);
    entry.row.remove();
    this.rows.delete(id);
    if (hadFocus) this.focusFallback();
  }

  updateRow(entry, now) {
    const { cells, item } = entry;
    setObject(cells.object, item);
    setStatus(cells.status, item.status);
    setText(cells.attempts, String(item.retry_count + 1));
    setText(cells.size, item.size === null ? null : formatSize(item.size));
    setText(cells.type, item.content_type);
    const error = item.last_error;
    setText(cells.error, error ? error.message + ' (' + error.code + ')' : null);
    setAge(cells.age, item.created_at, now);
    this.updateAction(entry);
  }

  updateAction(entry) {
    const { cells, item } = entry;
    const link = this.links.get(item.id);
    if (item.status === 'completed' && !link) void this.loadLink(item.id);

    const anchor = cells.action.querySelector('a');
    if (item.status === 'completed' && link && anchor) {
      // Only the URL changed: keep the element, and with it the focus.
      if (anchor.href !== link.url) anchor.href = link.url;
      return;
    }
    const key = item.status + (link ? ' link' : '');
    if (shownValues.get(cells.action) === key) return;
    shownValues.set(cells.action, key);
    const hadFocus = cells.action.contains(document.activeElement);
    cells.action.replaceChildren(actionContent(item, link));
    if (hadFocus) cells.object.focus();
  }

  /** Loads the presigned URL of a completed upload once; the list route returns none. */
  async loadLink(id) {
    if (this.linkRequests.has(id)) return;
    this.linkRequests.add(id);
    try {
      const url = await fetchDownloadUrl(id);
      if (!url) return;
      this.links.set(id, { url, fetchedAt: Date.now() });
      const entry = this.rows.get(id);
      if (entry) this.updateAction(entry);
    } finally {
      this.linkRequests.delete(id);
    }
  }

  handleClick(event) {
    const control = event.target.closest('[data-action]');
    if (!control || !this.tbody.contains(control)) return;
    const id = control.closest('tr').dataset.id;
    if (control.dataset.action === 'replay') void this.replay(id, control);
    if (control.dataset.action === 'download') void this.openDownload(id, event);
  }

  /** Lets the browser follow a fresh link; loads a new URL first for an old one. */
  async openDownload(id, event) {
    const link = this.links.get(id);
    if (link && Date.now() - link.fetchedAt < LINK_MAX_AGE_MS) return;
    event.preventDefault();
    const url = await fetchDownloadUrl(id);
    if (!url) {
      this.showError('The download link could not be loaded. Try again in a moment.');
      return;
    }
    this.links.set(id, { url, fetchedAt: Date.now() });
    const entry = this.rows.get(id);
    if (entry) this.updateAction(entry);
    // Browsers allow a page to open a window only shortly after a click; the request above
    // normally takes milliseconds.
    window.open(url, '_blank', 'noopener,noreferrer');
  }

  async replay(id, button) {
    if (button.getAttribute('aria-disabled') === 'true') return;
    button.setAttribute('aria-disabled', 'true');
    this.showError('');
    const name = nameOf(this.rows.get(id).item);
    try {
      const path = '/api/v1/files/' + encodeURIComponent(id) + '/retry';
      const response = await requestApi(path, { method: 'POST' });
      if (response.status === 202) {
        this.announce('Replay of ' + name + ' queued.');
        this.onReplayed();
      } else {
        this.showError('Replay of ' + name + ' failed: ' + describeFailure(response));
      }
    } catch (error) {
      this.showError('Replay of ' + name + ' failed. ' + error.message);
    } finally {
      button.removeAttribute('aria-disabled');
    }
  }
}

/** Returns the presigned URL of an upload, or null when the API returned none. */
async function fetchDownloadUrl(id) {
  try {
    const response = await requestApi('/api/v1/files/' + encodeURIComponent(id));
    const url = response.status === 200 ? response.body.download_url : null;
    return isHttpUrl(url) ? url : null;
  } catch {
    return null;
  }
}

function isHttpUrl(value) {
  if (typeof value !== 'string') return false;
  try {
    const protocol = new URL(value).protocol;
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

function createRow(id) {
  const row = document.createElement('tr');
  row.dataset.id = id;
  const cells = {};
  for (const name of COLUMNS) {
    const cell = document.createElement(name === 'object' ? 'th' : 'td');
    if (name === 'object') {
      cell.scope = 'row';
      // Focus target when the control that had the focus leaves this row.
      cell.tabIndex = -1;
    }
    cell.dataset.cell = name;
    row.append(cell);
    cells[name] = cell;
  }
  return { row, cells, item: null };
}

function actionContent(item, link) {
  if (item.status === 'failed') {
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.action = 'replay';
    button.append('Replay', hidden(' ' + nameOf(item)));
    return button;
  }
  if (item.status === 'completed' && link) {
    const anchor = document.createElement('a');
    anchor.href = link.url;
    anchor.target = '_blank';
    anchor.rel = 'noopener noreferrer';
    anchor.dataset.action = 'download';
    anchor.append('Download', hidden(' ' + nameOf(item)));
    return anchor;
  }
  if (item.status === 'completed') return muted('Preparing link…');
  return placeholder();
}

function setObject(cell, item) {
  const value = item.bucket_name + '\n' + item.object_name;
  if (shownValues.get(cell) === value) return;
  shownValues.set(cell, value);
  const name = document.createElement('span');
  name.className = 'object-name';
  name.textContent = item.object_name;
  cell.replaceChildren(name, muted('in ' + item.bucket_name));
  cell.title = item.file_url;
}

function setStatus(cell, status) {
  if (shownValues.get(cell) === status) return;
  shownValues.set(cell, status);
  const badge = document.createElement('span');
  badge.className = 'badge';
  badge.dataset.status = status;
  badge.textContent = status;
  cell.replaceChildren(badge);
}

/** Writes text into a cell, or a dash read as "none" when text is null. */
function setText(cell, text) {
  const value = text === null ? null : String(text);
  if (shownValues.has(cell) && shownValues.get(cell) === value) return;
  shownValues.set(cell, value);
  if (value === null) cell.replaceChildren(placeholder());
  else cell.textContent = value;
}

function setAge(cell, createdAt, now) {
  const text = formatAge(now - Date.parse(createdAt));
  let time = cell.firstElementChild;
  if (!time || time.dateTime !== createdAt) {
    time = document.createElement('time');
    time.dateTime = createdAt;
    time.title = new Date(createdAt).toLocaleString();
    cell.replaceChildren(time);
  }
  if (time.textContent !== text) time.textContent = text;
}

function placeholder() {
  const wrapper = document.createElement('span');
  const dash = document.createElement('span');
  dash.setAttribute('aria-hidden', 'true');
  dash.textContent = '—';
  wrapper.append(dash, hidden('none'));
  return wrapper;
}

function hidden(text) {
  const span = document.createElement('span');
  span.className = 'visually-hidden';
  span.textContent = text;
  return span;
}

function muted(text) {
  const span = document.createElement('span');
  span.className = 'muted';
  span.textContent = text;
  return span;
}

function nameOf(item) {
  return item.bucket_name + '/' + item.object_name;
}

function formatSize(bytes) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return (unit === 0 ? String(value) : value.toFixed(1)) + ' ' + units[unit];
}

function formatAge(milliseconds) {
  const seconds = Math.max(0, Math.floor(milliseconds / 1000));
  if (seconds < 60) return seconds + ' s';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return minutes + ' min';
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return hours + ' h';
  return Math.floor(hours / 24) + ' d';
}
`;
