/**
 * Browser module `main.js`: wires the forms and polls the list and the status counters once a
 * second, without reloading the page.
 */
export const MAIN_SCRIPT = String.raw`
import { ApiUnreachableError, describeFailure, requestApi } from './api-client.js';
import { setupKeyForm } from './key-form.js';
import { setupUploadForm } from './upload-form.js';
import { UploadsTable } from './uploads-table.js';

const POLL_INTERVAL_MS = 1000;
const PAGE_SIZE = 20;
const STATUSES = ['pending', 'processing', 'completed', 'failed'];
const MAX_ANNOUNCEMENTS = 5;

const filter = document.getElementById('status-filter');
const listError = document.getElementById('list-error');
const actionError = document.getElementById('action-error');
const refreshState = document.getElementById('refresh-state');
const emptyState = document.getElementById('empty-state');
const announcer = document.getElementById('announcer');

const table = new UploadsTable(document.getElementById('upload-rows'), {
  announce,
  showError: (message) => setText(actionError, message),
  onReplayed: refreshNow,
  focusFallback: () => document.getElementById('uploads-heading').focus(),
});

let timer = 0;
let polling = false;
// Wait before the next poll: the interval, or longer when the API sent Retry-After.
let nextDelayMs = POLL_INTERVAL_MS;
let pollAgain = false;
// Set by a 401 response: polling stops until the key changes.
let waitingForKey = false;
// Incremented when the filter or the key changes, so the response to an older request is dropped.
let generation = 0;

/** Polls at once, or right after the poll that is running. */
function refreshNow() {
  if (polling) {
    pollAgain = true;
    return;
  }
  clearTimeout(timer);
  void poll();
}

async function poll() {
  polling = true;
  try {
    if (!document.hidden) await refresh();
  } catch (error) {
    setText(listError, 'The page failed to refresh: ' + error.message);
  } finally {
    polling = false;
    if (pollAgain) {
      pollAgain = false;
      refreshNow();
    } else if (!waitingForKey) {
      timer = setTimeout(refreshNow, nextDelayMs);
    }
  }
}

async function refresh() {
  const started = generation;
  nextDelayMs = POLL_INTERVAL_MS;
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (filter.value) query.set('status', filter.value);

  let list;
  let stats;
  try {
    [list, stats] = await Promise.all([
      requestApi('/api/v1/files?' + query),
      requestApi('/api/v1/stats'),
    ]);
  } catch (error) {
    if (!(error instanceof ApiUnreachableError)) throw error;
    setText(listError, error.message);
    setText(refreshState, 'Connection lost; trying again every second.');
    return;
  }
  if (started !== generation) return;

  if (list.status === 401 || stats.status === 401) {
    waitingForKey = true;
    table.clear();
    showCounts(null);
    emptyState.hidden = true;
    setText(refreshState, 'Paused until a valid API key is set.');
    return;
  }
  if (list.status === 200) {
    table.render(list.body.items, Date.now());
    emptyState.hidden = list.body.items.length > 0;
  }
  if (stats.status === 200) showCounts(stats.body.counts);
  nextDelayMs = Math.max(POLL_INTERVAL_MS, list.retryAfterMs, stats.retryAfterMs);
  const failed = [list, stats].find((response) => response.status !== 200);
  if (failed) {
    const wait = Math.round(nextDelayMs / 1000);
    setText(listError, 'Could not refresh: ' + describeFailure(failed) + '. Trying again in ' + wait + ' s.');
    return;
  }
  setText(listError, '');
  setText(refreshState, 'Updated at ' + new Date().toLocaleTimeString());
}

function showCounts(counts) {
  for (const status of STATUSES) {
    const text = counts ? String(counts[status] ?? 0) : '–';
    setText(document.getElementById('count-' + status), text);
  }
}

/** Reads a message to screen readers through the polite live region. */
function announce(message) {
  const line = document.createElement('p');
  line.textContent = message;
  announcer.append(line);
  while (announcer.children.length > MAX_ANNOUNCEMENTS) announcer.firstElementChild.remove();
}

/** Changes text only when it differs, so a live region does not repeat itself every second. */
function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

setupKeyForm(() => {
  generation += 1;
  waitingForKey = false;
  table.clear();
  showCounts(null);
  refreshNow();
});
setupUploadForm(refreshNow);
filter.addEventListener('change', () => {
  generation += 1;
  refreshNow();
});
document.addEventListener('visibilitychange', () => {
  if (!document.hidden && !waitingForKey) refreshNow();
});
refreshNow();
`;
