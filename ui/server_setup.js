// Work on the server's API with the user's login: the application set-up dialog and the personal access tokens tab (commands in server_setup.rs).

import { $, invoke, state, setRevealed, toggleReveal, formatDate } from './page.js';
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

/** The password never stays in the dialog, however it closes. */
export function clearAppPassword() {
  $('app-password').value = '';
}

// ---- personal access tokens -------------------------------------------------

function patLogin() {
  return { username: $('pat-username').value.trim(), password: $('pat-password').value };
}

/** Empties the tab: nothing typed or listed for one profile shows for another. */
export function clearPersonalTokens() {
  $('pat-password').value = '';
  $('pat-list').replaceChildren();
  $('pat-created').hidden = true;
  setRevealed('pat-token', 'reveal-pat', null);
}

export async function createPersonalToken() {
  const created = await invoke('create_personal_token', {
    name: state.selected,
    login: patLogin(),
    description: $('pat-description').value.trim(),
    scope: $('pat-scope').value,
  });
  $('pat-created').hidden = false;
  $('pat-created-label').textContent = `#${created.id} “${created.description}” (${created.scope})`;
  setRevealed('pat-token', 'reveal-pat', null);
  say(`Created personal access token ${created.id}.`);
  await listPersonalTokens();
}

export async function revealPersonalToken() {
  await toggleReveal('pat-token', 'reveal-pat', () => invoke('reveal_personal_token', { name: state.selected }));
}

export async function listPersonalTokens() {
  const tokens = await invoke('list_personal_tokens', { name: state.selected, login: patLogin() });
  const list = $('pat-list');
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
    remove.addEventListener('click', action(() => deletePersonalToken(token)));
    row.append(text, remove);
    li.append(row);
    list.append(li);
  }
  say(`${tokens.length} token${tokens.length === 1 ? '' : 's'} on the server.`);
}

async function deletePersonalToken(token) {
  const ok = await confirmAction(`Delete token #${token.id} “${token.description}”? Anything using it stops working.`, 'Delete');
  if (!ok) return;
  await invoke('delete_personal_token', { name: state.selected, login: patLogin(), id: token.id });
  await listPersonalTokens();
  say(`Deleted token ${token.id}; it no longer works.`);
}
