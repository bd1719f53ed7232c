// Application set-up: a confidential application created on the server with the user's
// login, its client ID and secret put straight into a new profile (commands in
// server_setup.rs). The password is never kept.

import { $, invoke, state } from './page.js';
import { say, messageOf } from './status.js';
import { formDefaults, profileDraft } from './profile_form.js';
import { loadProfiles } from './profile_list.js';
import { storeNeedsPassphrase, unlockSecretStore } from './unlock.js';

function appLogin() {
  return { username: $('app-username').value.trim(), password: $('app-password').value };
}

export async function openAppSetup() {
  const draft = profileDraft();
  $('profile-error').textContent = '';
  if (!draft.name || !draft.base_url) {
    $('profile-error').textContent = 'Fill in the name and base URL first; the application is made for that profile and server.';
    return;
  }
  const { application_name_prefix: prefix, presets_with_server_api: withApi } = await formDefaults();
  if (!withApi.includes(draft.preset)) {
    $('profile-error').textContent = 'Application set-up needs a preset whose REST API AuthDesk knows (AWX or the gateway).';
    return;
  }
  $('app-form').reset();
  $('app-error').textContent = '';
  $('app-server').textContent = draft.base_url;
  $('app-profile').textContent = draft.name;
  // Left empty on purpose: Rust names the application when the field is blank.
  $('app-name').value = '';
  $('app-name').placeholder = `${prefix}${draft.name}`;
  $('app-organization').replaceChildren();
  $('app-organization').disabled = true;
  $('app-create').disabled = true;
  $('app-dialog').showModal();
  $('app-username').focus();
}

export async function loadOrganizations() {
  const draft = profileDraft();
  $('app-error').textContent = '';
  try {
    const organizations = await invoke('list_organizations', {
      server: { preset: draft.preset, base_url: draft.base_url, ca_file: draft.ca_file, pin_sha256: draft.pin_sha256 },
      login: appLogin(),
    });
    const select = $('app-organization');
    select.replaceChildren(...organizations.map((o) => new Option(o.name, String(o.id))));
    select.disabled = organizations.length === 0;
    $('app-create').disabled = organizations.length === 0;
    if (organizations.length === 0) $('app-error').textContent = 'You belong to no organization on this server; an administrator must add you to one first.';
  } catch (error) {
    $('app-error').textContent = messageOf(error);
  }
}

export async function createApplication(event) {
  event.preventDefault();
  $('app-error').textContent = '';
  if ((await storeNeedsPassphrase().catch(() => null)) && !(await unlockSecretStore())) {
    $('app-error').textContent = 'Nothing was created: the new client secret needs the encrypted secret file, which stays locked.';
    return;
  }
  $('app-create').disabled = true;
  try {
    const name = await invoke('set_up_application', {
      input: { ...profileDraft(), application_name: $('app-name').value.trim(), organization: $('app-organization').value },
      login: appLogin(),
    });
    $('app-dialog').close();
    state.formSnapshot = null;
    $('profile-dialog').close();
    await loadProfiles(name);
    say(`Created the application and profile “${name}”; its client secret is in the OS keyring.`);
  } catch (error) {
    $('app-error').textContent = messageOf(error);
  } finally {
    $('app-password').value = '';
    $('app-create').disabled = $('app-organization').disabled;
  }
}

export function closeAppSetup() {
  $('app-dialog').close();
}

/**
 * After the set-up dialog closes, however it closes: the password never stays, and a form
 * opened for set-up (first run's "Create the application for me…") shows its client fields
 * and Save again: the user may have a client after all.
 */
export function closedAppSetup() {
  $('app-password').value = '';
  for (const node of document.querySelectorAll('.client-field')) node.hidden = false;
  $('save-profile').hidden = false;
  $('setup-row').classList.remove('emphasis');
}
