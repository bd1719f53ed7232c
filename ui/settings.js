// The settings dialog: clipboard clearing and auto-refresh (commands in settings.rs).

import { $, invoke } from './page.js';
import { say } from './status.js';

export async function openSettings() {
  const settings = await invoke('get_settings');
  $('clipboard-clear').value = settings.clipboard_clear_secs;
  $('auto-refresh').checked = settings.auto_refresh;
  $('settings-dialog').showModal();
}

export async function saveSettings() {
  const seconds = Number.parseInt($('clipboard-clear').value, 10);
  if (!Number.isFinite(seconds) || seconds < 0) throw 'Enter a number of seconds (0 for never).';
  const saved = await invoke('save_settings', { clipboardClearSecs: seconds, autoRefresh: $('auto-refresh').checked });
  $('settings-dialog').close();
  const clipboard = saved.clipboard_clear_secs ? `Copied tokens are cleared after ${saved.clipboard_clear_secs} s.` : 'Copied tokens stay on the clipboard.';
  say(`${clipboard} ${saved.auto_refresh ? 'Tokens are refreshed before they expire.' : 'Tokens are refreshed only when you ask.'}`);
}

export function closeSettings() {
  $('settings-dialog').close();
}
