// The profiles: the list, picker and filter, the chosen profile's strip and panel, and
// Delete (commands in profiles.rs).

import {
  $, invoke, state, selectedProfile, filterWords, matches, showCount, measureUntilPainted, hostOf,
  profileOptionText,
} from './page.js';
import { say, clearNotice } from './status.js';
import { choose, confirmAction } from './dialogs.js';
import { showTab } from './tabs.js';
import { showTokens } from './token_card.js';
import { showHistory } from './history.js';
import { clearPersonalTokens } from './personal_tokens.js';
import { showTimeline } from './sign_in.js';

const PRESET_NAMES = { awx: 'AWX', gateway: 'AAP gateway', custom: 'Custom' };

/**
 * Lists the profiles and shows the chosen one. `onListed` runs as soon as the list and the
 * profile's panel are drawn, before its details arrive from the keyring.
 */
export async function loadProfiles(select, onListed) {
  const start = performance.now();
  performance.mark('list-sent');
  setProfiles(await invoke('list_profiles'));
  performance.mark('listed');
  const names = state.profiles.map((p) => p.name);
  const lastUsed = state.profiles.find((p) => p.last_used)?.name;
  if (select && names.includes(select)) state.selected = select;
  else if (!names.includes(state.selected)) state.selected = names.length === 1 ? names[0] : (lastUsed ?? null);
  // A filter helps only once the list is long.
  $('profile-filter').hidden = names.length <= FILTER_FROM;
  fillProfilePicker();
  $('profile-select').disabled = names.length === 0;
  $('profile-select').hidden = names.length === 0;
  $('empty').hidden = names.length > 0;
  measureUntilPainted('profiles', start);
  const details = showProfile();
  performance.mark('drawn');
  onListed?.();
  await details;
  await markProfiles();
}

/**
 * Asks what each profile's tokens are (after the list is drawn: a secret store read per
 * profile) and redraws the picker's entries with it.
 */
export async function markProfiles() {
  const names = state.profiles.map((p) => p.name);
  let marks;
  try {
    marks = await invoke('token_marks', { names });
  } catch {
    return;
  }
  marks.forEach((mark, index) => {
    // The chosen profile's mark follows its token card, which may be newer than this.
    if (names[index] !== state.selected) state.tokenMarks.set(names[index], mark);
  });
  fillProfilePicker();
}

/** The listed profiles become the page's, with what the picker and filter need. */
function setProfiles(listed) {
  state.profiles = listed;
  state.listedKey = listKey(listed);
  for (const profile of state.profiles) {
    profile.host = hostOf(profile.base_url);
    profile.search = `${profile.name} ${profile.base_url}`.toLowerCase();
  }
}

/** What tells two listings apart, but for which profile was shown last (the window's own note). */
function listKey(listed) {
  return JSON.stringify(listed.map(({ last_used: _, ...profile }) => profile));
}

/**
 * The list as the profile file holds it now, when another program changed it: a profile
 * added there appears in the picker; the chosen one, changed or removed there, is drawn
 * again (its neighbour taking a removed one's place). True when anything changed.
 */
export async function syncProfileList() {
  const listed = await invoke('list_profiles');
  const key = listKey(listed);
  if (key === state.listedKey) return false;
  const chosen = state.selected;
  const before = state.profiles.find((p) => p.name === chosen);
  const after = listed.find((p) => p.name === chosen);
  const same = (a, b) => a && b && listKey([a]) === listKey([b]);
  if (chosen && !same(before, after)) {
    const names = state.profiles.map((p) => p.name);
    const at = names.indexOf(chosen);
    const neighbour = after ? chosen : [names[at + 1], names[at - 1]].find((n) => listed.some((p) => p.name === n)) ?? null;
    state.selected = neighbour;
    await loadProfiles(neighbour);
    say(after ? `The profile “${chosen}” was changed by another program; it is shown as saved now.` : `The profile “${chosen}” was removed by another program.`, 'neutral');
    return true;
  }
  setProfiles(listed);
  const count = listed.length;
  $('profile-filter').hidden = count <= FILTER_FROM;
  fillProfilePicker();
  $('profile-select').disabled = count === 0;
  $('profile-select').hidden = count === 0;
  $('empty').hidden = count > 0;
  // The first profile, added by another program into an empty window, is shown at once.
  if (!state.selected && count === 1) {
    state.selected = listed[0].name;
    fillProfilePicker();
    await showProfile();
  }
  return true;
}

/** From this many profiles on, the picker gets a filter. */
const FILTER_FROM = 5;

/**
 * The picker holds the profiles matching the filter (name or server), each with its token
 * mark. The chosen profile stays shown in the card; while it does not match, the picker's
 * first line says so and that Enter in the filter picks the first match.
 */
function fillProfilePicker() {
  const filter = filterWords('profile-filter');
  const shown = state.profiles.filter((p) => matches(p.search, filter));
  state.pickerMatches = shown;
  const picker = $('profile-select');
  const options = shown.map((p) => new Option(profileOptionText(p), p.name, false, p.name === state.selected));
  const chosenShown = shown.some((p) => p.name === state.selected);
  if (!chosenShown && (state.profiles.length > 1 || shown.length === 0)) {
    let hint = 'Choose a profile…';
    if (shown.length === 0) hint = 'No profile matches the filter';
    else if (state.selected) hint = `“${state.selected}” does not match · Enter picks ${shown[0].name}`;
    options.unshift(new Option(hint, '', true, true));
  }
  picker.replaceChildren(...options);
  showCount('profile-count', shown.length, state.profiles.length, 'profiles');
}

export function filterProfiles() {
  const start = performance.now();
  fillProfilePicker();
  measureUntilPainted('filter profiles', start);
}

/** Enter in the filter picks the first profile that matches it, and clears the filter. */
export async function pickFilteredProfile(event) {
  if (event.key !== 'Enter') return;
  event.preventDefault();
  const match = state.pickerMatches?.[0];
  if (!match) return;
  $('profile-filter').value = '';
  state.selected = match.name;
  fillProfilePicker();
  $('profile-select').focus();
  await showProfile();
}

export async function chooseProfile(event) {
  // The picker's first line (a hint) chooses nothing.
  if (!event.target.value) {
    fillProfilePicker();
    return;
  }
  state.selected = event.target.value;
  await showProfile();
}

/** Where each kind of server registers OAuth applications, in its web UI's words. */
const SETUP_MENUS = {
  awx: 'Administration → Applications → Add',
  gateway: 'Access Management → OAuth Applications → Create OAuth application',
  custom: 'your server\'s OAuth application settings',
};

export async function showProfile() {
  const profile = selectedProfile();
  $('tabs').hidden = !profile;
  $('profile-strip').hidden = !profile;
  // Logins typed for one profile never linger for another, nor does its news.
  $('login-password').value = '';
  clearPersonalTokens();
  clearNotice();
  showTab(profile ? state.tab : null, false);
  $('cleartext-warning').hidden = true;
  if (!profile) return;
  invoke('remember_profile', { name: profile.name }).catch(() => {});
  const passwordGrant = profile.grant === 'password';
  $('password-login').hidden = !passwordGrant;
  $('redirect-card').hidden = passwordGrant;
  $('redirect-uri').textContent = profile.redirect_uri ?? '';
  // An application AuthDesk created has this URI registered already: nothing to do there.
  const registered = profile.registered_application != null;
  $('redirect-lead').textContent = registered
    ? `Registered by AuthDesk: the server's application #${profile.registered_application} has this redirect URI.`
    : 'The server\'s OAuth application must have exactly this redirect URI:';
  $('setup-steps').hidden = registered;
  $('setup-menu').textContent = SETUP_MENUS[profile.preset] ?? SETUP_MENUS.custom;
  // Plain http:// to another computer: said for as long as the profile is shown.
  $('cleartext-warning').textContent = profile.cleartext_warning ?? '';
  $('cleartext-warning').hidden = !profile.cleartext_warning;
  $('tab-pats').disabled = !profile.has_server_api;
  const kind = PRESET_NAMES[profile.preset] || profile.preset;
  $('strip-name').textContent = profile.name;
  $('strip-meta').textContent = `${kind} · ${profile.host} · scope ${profile.scope}`;
  $('strip-meta').title = profile.base_url;
  // Drawn now, from the profile itself: text arriving later above Get token would move
  // the button under a pointer already on its way to it.
  $('server-summary').textContent = profile.resolved_endpoints
    ? `${kind} at ${profile.base_url} · client ${profile.client_id} · scope ${profile.scope}`
    : '';
  $('secret-missing').hidden = true;
  // What the keyring holds arrives a moment later; nothing of another profile shows meanwhile.
  showTokens(null);
  $('timeline').hidden = true;
  const name = profile.name;
  const [secretStored, tokens] = await Promise.all([
    invoke('client_secret_stored', { name }),
    invoke('current_tokens', { name }),
  ]);
  // Another profile was chosen meanwhile: its own call shows it.
  if (state.selected !== name) return;
  state.secretStored = { name, stored: secretStored };
  $('secret-missing').hidden = secretStored || passwordGrant;
  showTokens(tokens);
  // Server setup opens by itself until a sign-in has worked, or when something is missing.
  $('setup').open = (!tokens && !registered && state.revoked?.name !== name) || !secretStored;
  await showHistory();
  await showTimeline(name);
}

export async function deleteProfile() {
  const name = state.selected;
  if (!name) return;
  // A token that still works on the server would outlive the profile unseen: revoke it first
  // (the default), or keep it valid if the user says so.
  const live = state.view?.profile === name;
  let revoke = false;
  if (live) {
    const answer = await choose(
      'Delete a profile with a live token?',
      `Delete the profile “${name}”? Its token is still valid on the server: revoke it first, or keep it valid (it then works until it expires, and AuthDesk no longer shows it).`,
      'Revoke and delete',
      { other: 'Delete and keep it valid' },
    );
    if (!answer) return;
    revoke = answer === 'confirm';
  } else if (!(await confirmAction('Delete the profile?', `Delete the profile “${name}” and its stored secret?`, 'Delete'))) {
    return;
  }
  const said = await invoke('delete_profile', { name, revoke });
  const names = state.profiles.map((p) => p.name);
  const at = names.indexOf(name);
  // The neighbour takes its place, as in a list.
  const next = names[at + 1] ?? names[at - 1] ?? null;
  state.selected = next;
  await loadProfiles(next);
  say(said);
  $(next ? 'profile-select' : 'empty-new-profile').focus();
}
