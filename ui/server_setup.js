// Work on the server's API with the user's login: the application set-up dialog and the personal access tokens tab (commands in server_setup.rs).

import { $, invoke, state, setRevealed, toggleReveal, formatDate, busy } from './page.js';
import { say, action, messageOf } from './status.js';
import { confirmAction } from './dialogs.js';
import { formDefaults, loadProfiles, profileDraft } from './profiles.js';

// ---- application set-up ----------------------------------------------------

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

// ---- personal access tokens -------------------------------------------------

function patLogin() {
  return { username: $('pat-username').value.trim(), password: $('pat-password').value };
}

/** Empties the tab: nothing typed or listed for one profile shows for another. */
export function clearPersonalTokens() {
  $('pat-password').value = '';
  $('pat-list').replaceChildren();
  $('pat-list-error').hidden = true;
  $('pat-created').hidden = true;
  setRevealed('pat-token', 'reveal-pat', null);
}

/**
 * Creates a token; it is shown at the top, once, with Copy focused. A failed list
 * afterwards is said in the list's own card, so it cannot hide the new token.
 */
export async function createPersonalToken() {
  const name = state.selected;
  const created = await busy('pat-create', 'Creating…', () => invoke('create_personal_token', {
    name,
    login: patLogin(),
    description: $('pat-description').value.trim(),
    scope: $('pat-scope').value,
  }));
  if (state.selected !== name) return;
  $('pat-created').hidden = false;
  $('pat-created-label').textContent = `#${created.id} “${created.description}” (${created.scope})`;
  setRevealed('pat-token', 'reveal-pat', null);
  say(`Created personal access token ${created.id}.`);
  $('copy-pat').focus();
  await listPersonalTokens();
}

export async function revealPersonalToken() {
  await toggleReveal('pat-token', 'reveal-pat', () => invoke('reveal_personal_token', { name: state.selected }));
}

/** Lists the user's tokens; a failure is said in the list's card, not over the page. */
export async function listPersonalTokens() {
  const name = state.selected;
  const list = $('pat-list');
  const error = $('pat-list-error');
  let tokens;
  try {
    tokens = await busy('pat-list-button', 'Listing…', () => invoke('list_personal_tokens', { name, login: patLogin() }));
  } catch (failure) {
    if (state.selected !== name) return;
    error.textContent = `Could not list your tokens: ${messageOf(failure)}`;
    error.hidden = false;
    return;
  }
  if (state.selected !== name) return;
  error.hidden = true;
  list.replaceChildren();
  if (tokens.length === 0) {
    const li = document.createElement('li');
    li.className = 'hint';
    li.textContent = 'You have no tokens on this server.';
    list.append(li);
  }
  for (const token of tokens) {
    const li = document.createElement('li');
    li.dataset.tokenId = String(token.id);
    li.dataset.testid = 'pat-entry';
    const row = document.createElement('div');
    row.className = 'row';
    const text = document.createElement('span');
    const kind = token.application == null ? 'personal' : `application ${token.application}`;
    text.textContent = `#${token.id} · ${token.description || '(no description)'} · ${token.scope} · ${kind}` +
      (token.expires ? ` · expires ${formatDate(token.expires)}` : '');
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'danger';
    remove.textContent = 'Delete…';
    remove.dataset.testid = `pat-delete-${token.id}`;
    remove.addEventListener('click', action(() => deletePersonalToken(token), () => state.selected));
    row.append(text, remove);
    li.append(row);
    list.append(li);
  }
}

async function deletePersonalToken(token) {
  const ok = await confirmAction(`Delete token #${token.id} “${token.description}”? Anything using it stops working.`, 'Delete');
  if (!ok) return;
  await invoke('delete_personal_token', { name: state.selected, login: patLogin(), id: token.id });
  say(`Deleted token ${token.id}; it no longer works.`);
  await listPersonalTokens();
}
