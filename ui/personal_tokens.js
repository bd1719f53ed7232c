// The Personal tokens tab: create, reveal, list and delete the user's personal access
// tokens with the profile's token or a login typed for this tab (commands in
// server_setup.rs).

import { $, invoke, state, setRevealed, toggleReveal, formatDate, busy, selectedProfile } from './page.js';
import { say, action, messageOf } from './status.js';
import { confirmAction } from './dialogs.js';

function patLogin() {
  return { username: $('pat-username').value.trim(), password: $('pat-password').value };
}

/**
 * Says before the click how Create will make the token: with the login typed here, or with
 * the profile's own sign-in token and its scope. Create is disabled, with the reason and
 * the way on, where the server would refuse it: no sign-in token, or one whose scope lacks
 * “write” (AWX and the gateway create personal tokens only with write).
 */
export function showPatWay() {
  const profile = selectedProfile();
  if (!profile) return;
  const username = $('pat-username').value.trim();
  const view = state.view?.profile === profile.name ? state.view : null;
  let blocked = null;
  let text;
  if (username) {
    text = `Create logs in as ${username} at the server's login page, for this one action; the password is never stored.`;
  } else if (!view || (!view.has_refresh_token && view.expires_at && Date.parse(view.expires_at) <= Date.now())) {
    blocked = 'no token';
    text = view
      ? 'This profile\'s sign-in token has expired and cannot be renewed: press Get token on the Tokens tab, or enter your username and password.'
      : 'This profile has no sign-in token: press Get token on the Tokens tab, or enter your username and password.';
  } else if (view.scope && !view.scope.split(/\s+/).includes('write')) {
    blocked = 'scope';
    text = `This profile's sign-in token has scope “${view.scope}”, and the server creates personal tokens only with “write”: change the profile's scope to “read write” and get a new token, or enter your username and password.`;
  } else {
    text = `Create uses this profile's sign-in token (${view.user || 'unknown user'}, scope “${view.scope || 'not stated'}”).`;
  }
  $('pat-way').textContent = text;
  $('pat-way').classList.toggle('warn', Boolean(blocked));
  $('pat-create').disabled = Boolean(blocked);
  $('pat-create').title = blocked ? text : '';
  $('pat-change-scope').hidden = blocked !== 'scope';
}

/** Empties the tab: nothing typed or listed for one profile shows for another. */
export function clearPersonalTokens() {
  $('pat-password').value = '';
  $('pat-list').replaceChildren();
  $('pat-list-error').hidden = true;
  $('pat-created').hidden = true;
  $('pat-create').classList.add('primary');
  setRevealed('pat-token', 'reveal-pat', null);
}

/**
 * Creates a token; it is shown at the top, once, with Copy focused. A failed list
 * afterwards is said in the list's own card, so it cannot hide the new token.
 */
export async function createPersonalToken() {
  const name = state.selected;
  let created;
  try {
    created = await busy('pat-create', 'Creating…', () => invoke('create_personal_token', {
      name,
      login: patLogin(),
      description: $('pat-description').value.trim(),
      scope: $('pat-scope').value,
    }));
  } finally {
    // Busy gave Create back: whether it may be pressed is the way's to say.
    showPatWay();
  }
  if (state.selected !== name) return;
  $('pat-created').hidden = false;
  // Copying the new token is the one suggested action now.
  $('pat-create').classList.remove('primary');
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
  const ok = await confirmAction('Delete the personal token?', `Delete token #${token.id} “${token.description}”? Anything using it stops working.`, 'Delete');
  if (!ok) return;
  await invoke('delete_personal_token', { name: state.selected, login: patLogin(), id: token.id });
  say(`Deleted token ${token.id}; it no longer works.`);
  await listPersonalTokens();
}
