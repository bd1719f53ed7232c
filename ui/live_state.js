// Changes other programs make (`authdesk profile add`, `authdesk token` renewing a pair):
// Rust looks at the profile store once a second (store_watch.rs) and next_store_change
// answers when it changed; the picker and the chosen profile's card are then drawn again.
// Nothing is redrawn under the user: while an action, a dialog or a sign-in is under way,
// the redraw waits for it to end.

import { invoke, state } from './page.js';
import { syncProfileList, markProfiles } from './profile_list.js';
import { redrawStoredTokens } from './token_card.js';

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/** Whether the window is idle: no action, dialog, sign-in or form of its own under way. */
function idle() {
  return state.running === 0 && !state.attempt && !state.starting && !document.querySelector('dialog[open]');
}

/** Follows the store's changes for as long as the page lives. */
export async function followStoreChanges() {
  let seen = 0;
  for (;;) {
    try {
      seen = await invoke('next_store_change', { seen });
    } catch {
      return;
    }
    while (!idle()) await sleep(300);
    // One failed redraw (a locked store) must not end the loop: the next change tries again.
    try {
      await syncWithStore();
    } catch (error) {
      console.warn('could not follow a change of the profiles or tokens', error);
    }
  }
}

/** The profile list, then the chosen profile's tokens, as the store holds them now. */
export async function syncWithStore() {
  await syncProfileList();
  if (state.selected) await redrawStoredTokens(state.selected);
  await markProfiles();
}
