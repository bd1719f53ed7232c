// The notice under the profile strip: what just happened, and for a failure one sentence,
// a button for the next step, and the request and the server's reply behind Details.

import { $, invoke } from './page.js';

// The window's next-step buttons, registered by app.js: { step: [label, handler] }.
let nextSteps = {};
// The last action that failed, for Try again.
let failedAction = null;

export function registerNextSteps(steps) {
  nextSteps = steps;
}

/** Shows one message; `tone` is 'ok', 'warn', 'error' or 'neutral'. */
export function say(message, tone = 'ok') {
  const notice = $('notice');
  $('status').textContent = message;
  notice.dataset.tone = tone;
  notice.hidden = !message;
  $('next-step').hidden = true;
  $('error-details').hidden = true;
  $('error-details').open = false;
  $('error-body').textContent = '';
}

/** Empties the notice: on another profile or tab, an old message would mislead. */
export function clearNotice() {
  say('');
  failedAction = null;
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

/** The details of a failure as one copyable text, never a token (the core masks replies). */
function detailsText(e, at) {
  return [
    e.request ? `Request: ${e.request}` : '',
    `Time: ${at.toISOString()}`,
    e.status ? `Status: HTTP ${e.status}` : '',
    e.details ? `Reply:\n${e.details}` : '',
    e.timeline?.length ? `Timeline:\n${e.timeline.join('\n')}` : '',
  ].filter(Boolean).join('\n');
}

/** Shows a failure; `profile` names whose it is, `retry` runs it again. */
export function fail(error, profile = null, retry = null) {
  const e = typeof error === 'string' ? { message: error } : (error || {});
  if (e.cancelled) {
    say(messageOf(error), 'neutral');
    return;
  }
  const text = messageOf(error);
  say(profile && !text.includes(`“${profile}”`) ? `${profile}: ${text}` : text, 'error');
  failedAction = retry;
  const step = e.next && nextSteps[e.next];
  if (step && (e.next !== 'try_again' || retry)) {
    $('next-step').textContent = step[0];
    $('next-step').dataset.step = e.next;
    $('next-step').hidden = false;
  }
  if (e.details || e.status || e.request || e.timeline?.length) {
    $('error-body').textContent = detailsText(e, new Date());
    $('error-details').hidden = false;
  }
}

/**
 * The next-step button. Its handlers report their own failures (they are wrapped in
 * `action`), so a step failing offers its own next step, and Try again runs the failed
 * action itself.
 */
export async function takeNextStep() {
  const step = $('next-step').dataset.step;
  const failed = failedAction;
  const run = step === 'try_again' ? failed : nextSteps[step]?.[1];
  clearNotice();
  // A step that makes the failed action possible (an unlock) answers 'retry'.
  if ((await run?.()) === 'retry') await failed?.();
}

export async function copyDetails() {
  await invoke('copy_text', { text: $('error-body').textContent });
  $('copy-details').textContent = 'Copied';
  setTimeout(() => { $('copy-details').textContent = 'Copy details'; }, 2000);
}

/**
 * Runs a handler; an error becomes one sentence in the notice, naming the profile it
 * concerns (`profileOf()`), with Try again running the handler once more.
 */
export function action(handler, profileOf = null) {
  const run = async (event) => {
    try {
      await handler(event);
    } catch (error) {
      fail(error, profileOf?.() ?? null, () => run(event));
    }
  };
  return run;
}
