// The settings dialog: clipboard clearing and auto-refresh, applied as they change
// (commands in settings.rs).

import { $, invoke } from './page.js';

export async function openSettings() {
  const settings = await invoke('get_settings');
  $('clipboard-clear').value = settings.clipboard_clear_secs;
  $('auto-refresh').checked = settings.auto_refresh;
  $('settings-note').textContent = '';
  $('settings-note').className = 'ok-text';
  $('settings-dialog').showModal();
}

/** Saves both settings; a number that is not one is said beside it and not saved. */
export async function applySettings() {
  const note = $('settings-note');
  const field = $('clipboard-clear');
  // An empty or unreadable field reads as '' (which Number() would take for 0, "never").
  const seconds = field.value.trim() === '' || !field.validity.valid ? Number.NaN : Number(field.value);
  if (!Number.isInteger(seconds) || seconds < 0) {
    note.className = 'error';
    note.textContent = 'Enter a whole number of seconds, from 0 (never) to 86400.';
    return;
  }
  try {
    const saved = await invoke('save_settings', { clipboardClearSecs: seconds, autoRefresh: $('auto-refresh').checked });
    const clipboard = saved.clipboard_clear_secs ? `Copied tokens are cleared after ${saved.clipboard_clear_secs} s.` : 'Copied tokens stay on the clipboard.';
    note.className = 'ok-text';
    note.textContent = `Saved. ${clipboard} ${saved.auto_refresh ? 'Tokens are refreshed before they expire.' : 'Tokens are refreshed only when you ask.'}`;
  } catch (error) {
    note.className = 'error';
    note.textContent = error?.message ?? String(error);
  }
}

export function closeSettings() {
  $('settings-dialog').close();
}
