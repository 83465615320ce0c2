/**
 * Browser module `key-form.js`: the API key form and the message shown on a 401. The key is
 * never written back into the page: the input is emptied once the key is kept.
 */
export const KEY_FORM_SCRIPT = String.raw`
import { forgetApiKey, onUnauthorized, readApiKey, saveApiKey } from './api-client.js';

// Keys contain only letters, digits, _ and - after ffk_, so this loose check rejects pasted
// spaces and control characters (fetch would throw on the latter) and leaves the rest to the API.
const KEY_PATTERN = /^[\x21-\x7e]+$/;

/** Wires the key form. Calls onChange() after the key was set or forgotten. */
export function setupKeyForm(onChange) {
  const form = document.getElementById('key-form');
  const input = document.getElementById('api-key');
  const error = document.getElementById('api-key-error');
  const state = document.getElementById('key-state');
  const alert = document.getElementById('auth-error');

  const showState = () => {
    state.textContent = readApiKey()
      ? 'An API key is set for this tab.'
      : 'No API key is set. Requests go without one.';
  };

  const setError = (message) => {
    error.textContent = message;
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (!KEY_PATTERN.test(key)) {
      setError('Enter an API key: visible characters without spaces, starting with ffk_.');
      input.focus();
      return;
    }
    try {
      saveApiKey(key);
    } catch {
      setError('This browser blocks session storage, so the key cannot be kept. Allow site data.');
      return;
    }
    input.value = '';
    setError('');
    alert.textContent = '';
    showState();
    onChange();
  });

  document.getElementById('forget-key').addEventListener('click', () => {
    forgetApiKey();
    input.value = '';
    setError('');
    alert.textContent = '';
    showState();
    onChange();
  });

  onUnauthorized((serverMessage) => {
    const key = readApiKey();
    const reason = key
      ? 'The API rejected the API key of this tab (401 Unauthorized).'
      : 'The API requires an API key (401 Unauthorized).';
    // The server is not expected to echo the key, but the page must never show it.
    const detail = key ? serverMessage.split(key).join('[key]') : serverMessage;
    const text = reason + ' Enter a valid key above.' + (detail ? ' The API said: ' + detail : '');
    if (alert.textContent !== text) alert.textContent = text;
  });

  showState();
}
`;
