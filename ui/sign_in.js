// Signing in: Get token (asking first when a working token would be left behind), its
// menu (Sign in as another user…, Options for this sign-in…), the waiting card with its
// countdown, Cancel and Open the browser again, and the password grant (commands in
// tokens.rs).

import { $, invoke, state, selectedProfile, busy } from './page.js';
import { say, clearNotice } from './status.js';
import { choose, toggleMenu, menuKeys } from './dialogs.js';
import { showTab } from './tabs.js';
import { showCardPart, showTokens, showTokenState, revokeNow } from './token_card.js';
import { showHistory } from './history.js';

/** The controls that would change the profile, or start a second sign-in, meanwhile. */
const LOCKED_WHILE_SIGNING_IN = [
  'get-token', 'sign-in-more', 'expired-action', 'new-profile', 'edit-profile', 'delete-profile', 'profile-select',
];

function lockProfile(locked) {
  for (const id of LOCKED_WHILE_SIGNING_IN) $(id).disabled = locked;
  if (!locked) $('profile-select').disabled = state.profiles.length === 0;
}

function stopWaiting() {
  clearInterval(state.countdown);
  state.countdown = null;
  state.attempt = null;
  $('waiting').hidden = true;
  lockProfile(false);
  showTokens(state.view);
}

/** A successful sign-in of `name` ends its revoked state (and only its own). */
function endRevokedState(name) {
  if (state.revoked?.name === name) state.revoked = null;
}

/**
 * Get token. A profile holding tokens that still work is asked about first: a new
 * sign-in would otherwise leave them valid on the server and out of AuthDesk's reach.
 */
export async function getToken() {
  await getTokenWith(null);
}

/**
 * A sign-in with this attempt's own options ({ switch_user, scope, params }), or the
 * profile's usual one (null).
 */
export async function getTokenWith(options) {
  const profile = selectedProfile();
  if (!profile || state.attempt || state.starting) return;
  // Set before the first wait: a second click (or the notice's button) starts nothing.
  state.starting = true;
  try {
    await startSignIn(profile, options);
  } finally {
    state.starting = false;
    if (!state.attempt) lockProfile(false);
  }
}

/**
 * The Timeline disclosure: the profile's last sign-in, step by step (redacted in Rust).
 * Returns the lines.
 */
export async function showTimeline(name) {
  const lines = await invoke('sign_in_timeline', { name }).catch(() => []);
  if (state.selected !== name) return lines;
  $('timeline-text').textContent = lines.join('\n');
  $('timeline').hidden = lines.length === 0;
  return lines;
}

export async function copyTimeline() {
  await invoke('copy_text', { text: $('timeline-text').textContent });
  $('copy-timeline').textContent = 'Copied';
  setTimeout(() => { $('copy-timeline').textContent = 'Copy timeline'; }, 2000);
}

/** Turn on PKCE and sign in again (the server refused a sign-in without it). */
export async function turnOnPkceAndSignIn() {
  const profile = selectedProfile();
  if (!profile) return;
  await invoke('turn_on_pkce', { name: profile.name });
  profile.pkce = true;
  await getTokenWith(null);
}

export function toggleSignInMenu(open) {
  toggleMenu('sign-in-more', 'sign-in-menu', open);
}

export function signInMenuKeys(event) {
  menuKeys(event, 'sign-in-more', 'sign-in-menu');
}

/** Sign in as another user…: the server's logout first, then its login page. */
export async function switchUser() {
  toggleSignInMenu(false);
  await getTokenWith({ switch_user: true });
}

/** Options for this sign-in…: scope, extra parameters and the switch, for one attempt. */
export function openSignInOptions() {
  toggleSignInMenu(false);
  const profile = selectedProfile();
  if (!profile) return;
  $('options-form').reset();
  $('options-error').textContent = '';
  $('options-scope-profile').textContent = `the profile's (${profile.scope})`;
  $('options-dialog').showModal();
  $('options-scope').focus();
}

export function closeSignInOptions() {
  $('options-dialog').close();
  $('sign-in-more').focus();
}

export async function startWithOptions(event) {
  event.preventDefault();
  const options = {
    switch_user: $('options-switch-user').checked,
    scope: $('options-scope').value || null,
    params: $('options-params').value.split('\n').map((line) => line.trim()).filter(Boolean),
  };
  const malformed = options.params.find((line) => !/^[^=\s][^=]*=/.test(line));
  if (malformed) {
    $('options-error').textContent = `“${malformed}” is not KEY=VALUE.`;
    $('options-params').focus();
    return;
  }
  $('options-dialog').close();
  await getTokenWith(options);
}

async function startSignIn(profile, options) {
  if (options && profile.grant === 'password') {
    throw new Error('This profile uses the password grant, without a browser sign-in: enter the other user\'s username and password in the token card instead.');
  }
  // The sign-in shows in the token card (also when asked from another tab's notice).
  showTab('tokens');
  const view = state.view;
  const stillWorks = view && (view.has_refresh_token || !view.expires_at || Date.parse(view.expires_at) > Date.now());
  if (stillWorks) {
    const answer = await choose(
      'Replace a token that still works?',
      `“${profile.name}” holds a token that still works (#${view.fingerprint}). A new sign-in replaces it here, but the server keeps accepting it until it expires unless you revoke it.`,
      'Revoke it and continue',
      { other: 'Keep it valid and continue' },
    );
    if (!answer) return;
    if (answer === 'confirm' && !(await revokeNow(profile.name))) return;
  }
  clearNotice();
  lockProfile(true);
  if (profile.grant === 'password') {
    await passwordSignIn(profile);
    return;
  }
  const started = await busy('get-token', 'Opening…', () => invoke('begin_sign_in', { name: profile.name, options }));
  state.attempt = started.attempt;
  $('authorize-url').value = started.authorize_url;
  showCardPart('waiting');
  showTokenState();
  // The profile stays as it is while its sign-in is under way (busy re-enabled Get token).
  lockProfile(true);
  const deadline = Date.now() + started.timeout_secs * 1000;
  const tick = () => {
    const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    $('countdown').textContent = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')} left`;
  };
  tick();
  state.countdown = setInterval(tick, 1000);
  // One message for the state, and only the redirect URI registered on the server.
  $('waiting-text').textContent = started.browser_error
    ? started.browser_error
    : `The server sends the browser back to AuthDesk (${profile.redirect_uri}) once you approve.`;
  $('waiting-text').className = started.browser_error ? 'warn' : '';
  $('cancel').focus();
  const attempt = started.attempt;
  try {
    const signedIn = await invoke('wait_sign_in', { attempt });
    if (state.attempt !== attempt) return;
    endRevokedState(profile.name);
    stopWaiting();
    showTokens(signedIn);
    await showTimeline(profile.name);
    $('setup').open = false;
    say(`Signed in as ${signedIn.user || 'an unknown user'}; the tokens are kept in your secret store.`);
    $('copy-access-token').focus();
  } catch (error) {
    if (state.attempt === attempt) stopWaiting();
    // The steps up to the failure go with its details (nothing secret in them).
    const steps = await showTimeline(profile.name);
    if (error && typeof error === 'object' && !error.cancelled) error.timeline = steps;
    // A sign-in that never came back is most often a redirect URI the server does not know.
    if (error?.kind === 'timed_out' && !error?.cancelled) $('setup').open = true;
    throw error;
  } finally {
    await showHistory();
  }
}

/**
 * The password grant: one request, no browser. Its command lives in server_setup.rs, but it is
 * the same Get token button and ends in the same token card, so it stays here.
 */
async function passwordSignIn(profile) {
  const login = { username: $('login-username').value.trim(), password: $('login-password').value };
  try {
    const view = await busy('get-token', 'Signing in…', () => invoke('password_sign_in', { name: profile.name, login }));
    endRevokedState(profile.name);
    // Drawn only for the profile still shown (the picker is locked meanwhile, but say so).
    if (state.selected !== profile.name) return;
    showTokens(view);
    say(`Signed in as ${view.user || 'an unknown user'}; the tokens are kept in your secret store.`);
  } finally {
    // The password is sent once and never kept, whatever the answer.
    $('login-password').value = '';
    await showHistory();
  }
}

/** The pending wait_sign_in then fails as cancelled, and getToken tidies up. */
export async function cancelSignIn() {
  await invoke('cancel_sign_in');
}

export async function reopenBrowser() {
  const message = await invoke('reopen_browser');
  $('waiting-text').textContent = message;
}
