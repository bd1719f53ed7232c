// Signing in and the chosen profile's tokens: sign-in, token view (and its expiry), reveal, copy,
// refresh, auto-refresh news, revoke, session history (commands in tokens.rs).

import {
  $, invoke, state, selectedProfile, setRevealed, toggleReveal,
  formatDate, timeLeft, filterWords, matches, showCount, measureUntilPainted,
} from './page.js';
import { say, fail } from './status.js';
import { confirmAction } from './dialogs.js';

// ---- token view ----------------------------------------------------------

export function showTokens(view) {
  state.view = view;
  $('token-view').hidden = !view;
  // Whatever was revealed belongs to the previous view.
  for (const which of ['access', 'refresh']) setRevealed(`${which}-token`, `reveal-${which}-token`, null);
  if (!view) return;
  if (!view.has_refresh_token) $('refresh-token').textContent = 'none';
  for (const id of ['reveal-refresh-token', 'copy-refresh-token', 'refresh']) $(id).disabled = !view.has_refresh_token;
  $('whoami').textContent = view.user || 'unknown (who-am-I did not answer)';
  $('token-kind').textContent = `${view.token_type} · ${view.scope || 'scope not stated'} · #${view.fingerprint}`;
  $('issued').textContent = formatDate(view.issued_at);
  // The .env and export texts hold the variables of the profile's kind of server.
  const awx = selectedProfile()?.preset === 'awx';
  const names = awx ? 'CONTROLLER_HOST, CONTROLLER_OAUTH_TOKEN' : 'AAP_HOSTNAME, AAP_TOKEN, CONTROLLER_…';
  $('copy-as-env').textContent = `.env lines (${names})`;
  $('copy-as-shell').textContent = `export lines for a shell (${names})`;
  showExpiry();
}

/** The expiry line, and the expired notice with its next step; redrawn as time passes. */
function showExpiry() {
  const view = state.view;
  if (!view) return;
  const expired = Boolean(view.expires_at) && Date.parse(view.expires_at) <= Date.now();
  $('expires').textContent = view.expires_at
    ? `${formatDate(view.expires_at)} (${timeLeft(view.expires_at)})`
    : 'not stated by the server';
  $('expires').classList.toggle('expired', expired);
  $('expired-note').hidden = !expired;
  if (expired) {
    $('expired-text').textContent = view.has_refresh_token
      ? 'The access token has expired.'
      : 'The access token has expired, and there is no refresh token to renew it.';
    $('expired-action').textContent = view.has_refresh_token ? 'Refresh' : 'Sign in';
  }
}

setInterval(showExpiry, 5000);

/** The expired notice's button: Refresh, or a new sign-in when nothing can be refreshed. */
export async function renewExpired() {
  if (state.view?.has_refresh_token) await refresh();
  else await getToken();
}

/**
 * Auto-refresh outcomes, as Rust reports them, for as long as the page lives: the
 * chosen profile's view follows, and a failure shows on the status line.
 */
export async function followTokenNews() {
  for (;;) {
    let news;
    try {
      news = await invoke('next_token_news');
    } catch {
      return;
    }
    if (news.profile !== state.selected) continue;
    // One bad drawing must not end the loop (and with it every later refresh's news).
    try {
      if (news.view) {
        showTokens(news.view);
        if (news.source === 'refreshed') say(`Refreshed the tokens of “${news.profile}” before they expired.`);
        await showHistory();
      } else if (news.error) {
        fail(news.error);
      }
    } catch (error) {
      fail(error);
    }
  }
}

/** `which` is 'access' or 'refresh'. */
export async function reveal(which) {
  await toggleReveal(`${which}-token`, `reveal-${which}-token`, () => invoke('reveal_token', { name: state.selected, which }));
}

/** Rust copies, so tokens never revealed never pass through the page. */
export async function copy(what) {
  say(await invoke('copy_token', { name: state.selected, what }));
}

export async function refresh() {
  const view = await invoke('refresh_tokens', { name: state.selected });
  showTokens(view);
  say('Refreshed: a new pair is stored, and the server no longer accepts the old one.');
  await showHistory();
}

export async function revoke() {
  const ok = await confirmAction(
    `Revoke the tokens of “${state.selected}”? Anything using them stops working.`,
    'Revoke',
  );
  if (!ok) return;
  const report = await invoke('revoke_tokens', { name: state.selected });
  if (report.verified) {
    showTokens(null);
    say(report.message);
  } else {
    say(report.message, 'warn');
  }
  await showHistory();
}

// ---- sign-in ---------------------------------------------------------------

function stopWaiting() {
  clearInterval(state.countdown);
  state.countdown = null;
  state.attempt = null;
  $('waiting').hidden = true;
  for (const id of ['get-token', 'new-profile', 'edit-profile', 'delete-profile']) $(id).disabled = false;
  $('profile-select').disabled = state.profiles.length === 0;
}

export async function getToken() {
  const profile = selectedProfile();
  if (!profile) return;
  if (profile.grant === 'password') {
    await passwordSignIn(profile);
    return;
  }
  say('Opening the browser…');
  const started = await invoke('begin_sign_in', { name: profile.name });
  state.attempt = started.attempt;
  $('authorize-url').value = started.authorize_url;
  $('waiting').hidden = false;
  // The profile stays as it is while its sign-in is under way.
  for (const id of ['get-token', 'new-profile', 'edit-profile', 'delete-profile', 'profile-select']) $(id).disabled = true;
  const deadline = Date.now() + started.timeout_secs * 1000;
  const tick = () => {
    const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    $('countdown').textContent = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')} left`;
  };
  tick();
  state.countdown = setInterval(tick, 1000);
  say(started.browser_error || `Waiting for the redirect to ${started.redirect_uri}.`, started.browser_error ? 'warn' : 'ok');
  $('cancel').focus();
  const attempt = started.attempt;
  try {
    const view = await invoke('wait_sign_in', { attempt });
    if (state.attempt !== attempt) return;
    stopWaiting();
    showTokens(view);
    say(`Signed in as ${view.user || 'an unknown user'}; the tokens are stored in the OS keyring.`);
  } catch (error) {
    if (state.attempt === attempt) stopWaiting();
    throw error;
  } finally {
    await showHistory();
  }
}

/**
 * The password grant: one request, no browser. Its command lives in server_setup.rs, but it is
 * the same Get token button and ends in the same token view, so it stays here.
 */
async function passwordSignIn(profile) {
  const login = { username: $('login-username').value.trim(), password: $('login-password').value };
  say('Asking the server…');
  try {
    const view = await invoke('password_sign_in', { name: profile.name, login });
    showTokens(view);
    say(`Signed in as ${view.user || 'an unknown user'}; the tokens are stored in the OS keyring.`);
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

// ---- session history -----------------------------------------------------

/** At most this many entries are drawn; the filter reaches the rest. */
const HISTORY_SHOWN = 200;

export async function showHistory() {
  const start = performance.now();
  const entries = await invoke('session_history');
  state.history = entries.map((entry) => {
    const text = `${entry.profile} · #${entry.fingerprint} · ${entry.user || '?'} · ${formatDate(entry.issued_at)} · ${entry.state}`;
    return { text, search: text.toLowerCase(), state: entry.state };
  });
  $('history-filter').hidden = entries.length < 2;
  renderHistory();
  measureUntilPainted('history', start);
}

/** Draws the newest entries matching the filter (profile, #fingerprint, user, date, state). */
function renderHistory() {
  const filter = filterWords('history-filter');
  const matching = state.history.filter((entry) => matches(entry.search, filter));
  const hint = (text) => {
    const li = document.createElement('li');
    li.className = 'hint';
    li.textContent = text;
    return li;
  };
  const items = matching.slice(0, HISTORY_SHOWN).map((entry) => {
    const li = document.createElement('li');
    li.dataset.state = entry.state;
    li.textContent = entry.text;
    return li;
  });
  if (state.history.length === 0) items.push(hint('Tokens you get, refresh or revoke in this window are listed here.'));
  else if (matching.length === 0) items.push(hint('No token of this session matches.'));
  else if (matching.length > HISTORY_SHOWN) {
    items.push(hint(`${(matching.length - HISTORY_SHOWN).toLocaleString()} older entries are not shown; filter to find them.`));
  }
  $('history').replaceChildren(...items);
  showCount('history-count', matching.length, state.history.length, 'entries');
}

export function filterHistory() {
  const start = performance.now();
  renderHistory();
  measureUntilPainted('filter history', start);
}
