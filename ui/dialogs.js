// Dialogs shared by the other modules: asking the user to confirm, or to choose; and the
// small menus some buttons open.

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

/** Opens or closes the menu `menuId` of the button `buttonId`; an open one takes the focus. */
export function toggleMenu(buttonId, menuId, open = $(menuId).hidden) {
  $(menuId).hidden = !open;
  $(buttonId).setAttribute('aria-expanded', String(open));
  if (open) $(menuId).querySelector('button')?.focus();
}

/** Arrow keys move within an open menu; Escape closes it and goes back to its button. */
export function menuKeys(event, buttonId, menuId) {
  const items = [...$(menuId).querySelectorAll('button')];
  const at = items.indexOf(document.activeElement);
  if (event.key === 'Escape') {
    event.preventDefault();
    event.stopPropagation();
    toggleMenu(buttonId, menuId, false);
    $(buttonId).focus();
  } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
    event.preventDefault();
    const step = event.key === 'ArrowDown' ? 1 : -1;
    items[(at + step + items.length) % items.length]?.focus();
  }
}
