// Dialogs shared by the other modules: asking the user to confirm, or to choose.

import { $ } from './page.js';

/**
 * Asks a question, under its `title`, with Cancel (focused), `label` (the action, styled
 * as `tone`) and, when given, `other` (a second way on): resolves 'confirm', 'other', or
 * null for Cancel/Escape.
 */
export function choose(title, text, label, { other = null, tone = 'danger' } = {}) {
  const dialog = $('confirm-dialog');
  $('confirm-title').textContent = title;
  $('confirm-text').textContent = text;
  $('confirm').textContent = label;
  $('confirm').className = tone;
  $('confirm-other').hidden = !other;
  $('confirm-other').textContent = other ?? '';
  dialog.showModal();
  $('confirm-cancel').focus();
  return new Promise((resolve) => {
    const done = (answer) => () => {
      dialog.close();
      for (const id of ['confirm', 'confirm-cancel', 'confirm-other']) $(id).onclick = null;
      dialog.oncancel = null;
      resolve(answer);
    };
    $('confirm').onclick = done('confirm');
    $('confirm-other').onclick = done('other');
    $('confirm-cancel').onclick = done(null);
    dialog.oncancel = done(null);
  });
}

/** Resolves true when the user confirms with `label`, false on Cancel or Escape. */
export async function confirmAction(title, text, label) {
  return (await choose(title, text, label)) === 'confirm';
}
