// The encrypted secret file's passphrase, where no Secret Service answers (a minimal
// desktop, a window forwarded over SSH): asked once per session, since the kernel keyring
// keeps the file unlocked, and chosen (typed twice) on first use. The passphrase goes to
// Rust once and leaves the page's fields when the dialog closes.

import { $, invoke } from './page.js';

/** Whether the store waits for a passphrase: 'new' or 'locked', else null. */
export async function storeNeedsPassphrase() {
  const store = await invoke('secret_store_state');
  return store.state === 'new' || store.state === 'locked' ? store.state : null;
}

/** Asks for the passphrase and unlocks; resolves true once unlocked, false on Cancel. */
export async function unlockSecretStore() {
  const store = await invoke('secret_store_state');
  if (store.state === 'keyring' || store.state === 'unlocked') return true;
  const isNew = store.state === 'new';
  const dialog = $('unlock-dialog');
  $('unlock-heading').textContent = isNew ? 'Choose a passphrase for your secrets' : 'Unlock your secrets';
  $('unlock-text').textContent = isNew
    ? `No Secret Service answers here, so AuthDesk keeps client secrets and tokens in the encrypted file ${store.path}. Choose its passphrase, at least ${store.min_chars} characters. It cannot be recovered: without it, the secrets must be entered again.`
    : `Client secrets and tokens are in the encrypted file ${store.path}. Enter its passphrase to unlock it for this session.`;
  $('unlock-kept').textContent = store.not_kept
    ? `This session cannot keep it unlocked (${store.not_kept}): the window keeps it until it closes, and each command asks.`
    : '';
  $('unlock-again-field').hidden = !isNew;
  $('unlock-submit').textContent = isNew ? 'Create' : 'Unlock';
  $('unlock-error').textContent = '';
  dialog.showModal();
  $('unlock-passphrase').focus();
  return new Promise((resolve) => {
    const finish = (unlocked) => {
      $('unlock-passphrase').value = '';
      $('unlock-again').value = '';
      $('unlock-form').onsubmit = null;
      $('unlock-cancel').onclick = null;
      dialog.oncancel = null;
      dialog.close();
      resolve(unlocked);
    };
    const refuse = (text, field = 'unlock-passphrase') => {
      $('unlock-error').textContent = text;
      $(field).select();
      $(field).focus();
    };
    $('unlock-form').onsubmit = async (event) => {
      event.preventDefault();
      const passphrase = $('unlock-passphrase').value;
      if (isNew && [...passphrase].length < store.min_chars) {
        refuse(`That is shorter than ${store.min_chars} characters.`);
        return;
      }
      if (isNew && passphrase !== $('unlock-again').value) {
        refuse('The two passphrases differ.', 'unlock-again');
        return;
      }
      $('unlock-submit').disabled = true;
      try {
        await invoke('unlock_secret_store', { passphrase });
        finish(true);
      } catch (error) {
        refuse(error?.message ?? String(error));
      } finally {
        $('unlock-submit').disabled = false;
      }
    };
    $('unlock-cancel').onclick = () => finish(false);
    dialog.oncancel = (event) => {
      event.preventDefault();
      finish(false);
    };
  });
}
