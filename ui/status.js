// The status line: what just happened, and errors as one sentence (with what to do next).

import { $ } from './page.js';

export function say(message, tone = 'ok') {
  const status = $('status');
  status.textContent = message;
  status.className = tone;
  $('error-details').hidden = true;
  $('error-body').textContent = '';
}

/**
 * The text to show for an invoke error: a CommandError `{ message, hint, kind, status, details }`
 * or a plain string. The hint says what to do next in the window, so it follows the message.
 */
export function messageOf(error) {
  const e = typeof error === 'string' ? { message: error } : (error || {});
  const message = e.message || String(error);
  return e.hint ? `${message} ${e.hint}` : message;
}

export function fail(error) {
  const e = typeof error === 'string' ? { message: error } : (error || {});
  say(messageOf(error), 'error');
  if (e.details || e.status) {
    $('error-body').textContent = [e.status ? `HTTP ${e.status}` : '', e.details || ''].filter(Boolean).join('\n');
    $('error-details').hidden = false;
  }
}

/** Runs a handler; an error becomes one sentence on the status line. */
export function action(handler) {
  return async (event) => {
    try {
      await handler(event);
    } catch (error) {
      fail(error);
    }
  };
}
