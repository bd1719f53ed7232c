// Dialogs shared by the other modules: asking the user to confirm a destructive action.

import { $ } from './page.js';

/** Resolves true when the user confirms with `label`, false on Cancel or Escape. */
export function confirmAction(text, label) {
  const dialog = $('confirm-dialog');
  $('confirm-text').textContent = text;
  $('confirm').textContent = label;
  dialog.showModal();
  $('confirm-cancel').focus();
  return new Promise((resolve) => {
    const done = (answer) => () => {
      dialog.close();
      $('confirm').onclick = null;
      $('confirm-cancel').onclick = null;
      dialog.oncancel = null;
      resolve(answer);
    };
    $('confirm').onclick = done(true);
    $('confirm-cancel').onclick = done(false);
    dialog.oncancel = done(false);
  });
}
