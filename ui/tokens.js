// Signing in and the chosen profile's token: the token card's states (none, waiting, tokens,
// expired, revoked), reveal, copy, refresh, auto-refresh news, revoke, and this session's
// history (commands in tokens.rs).

import {
  $, invoke, state, selectedProfile, setRevealed, toggleReveal, busy, showCopied, hostOf,
  formatDate, timeLeft, filterWords, matches, showCount, measureUntilPainted,
} from './page.js';
import { say, fail, clearNotice } from './status.js';
import { showTab } from './profiles.js';
import { choose } from './dialogs.js';

// ---- the token card --------------------------------------------------------

/** Which part of the card shows: 'none', 'waiting' or 'tokens'. */
function showCardPart(part) {
  $('token-empty').hidden = part !== 'none';
  $('waiting').hidden = part !== 'waiting';
  $('token-view').hidden = part !== 'tokens';
}

/** The strip's badge and its primary button follow the token's state. */
export function showTokenState() {
  const view = state.view;
  const badge = $('token-state');
  let tokenState = 'none';
  let text = 'No token';
  if (state.attempt) {
    tokenState = 'waiting';
    text = 'Signing in…';
  } else if (state.revoked && state.revoked.name === state.selected && !view) {
    tokenState = 'revoked';
    text = 'Revoked';
  } else if (view) {
    const expired = Boolean(view.expires_at) && Date.parse(view.expires_at) <= Date.now();
    tokenState = expired ? 'expired' : 'valid';
    text = expired ? 'Expired' : 'Valid';
  }
  badge.dataset.state = tokenState;
  badge.textContent = text;
  $('get-token').textContent = view ? 'Get new token' : 'Get token';
}

/** What the empty card says, for the chosen profile's kind of sign-in. */
function showEmptyText() {
  const profile = selectedProfile();
  if (!profile) return;
  const host = hostOf(profile.base_url);
  $('token-empty-text').textContent = profile.grant === 'password'
    ? `Enter your username and password for ${host}, then press Get token. The tokens are stored in the OS keyring.`
    : `Get token opens ${host}'s sign-in page in your browser. Once you approve there, the tokens appear here and are stored in the OS keyring.`;
}

export function showTokens(view) {
  state.view = view;
  // Whatever was revealed belongs to the previous view.
  for (const which of ['access', 'refresh']) setRevealed(`${which}-token`, `reveal-${which}-token`, null);
  const revoked = !view && state.revoked?.name === state.selected ? state.revoked : null;
  // A revoked card shows what it was: its own facts, never another profile's.
  if (revoked?.view) drawFacts(revoked.view);
  if (!state.attempt) showCardPart(view || revoked ? 'tokens' : 'none');
  showEmptyText();
  $('token-view').classList.toggle('revoked', Boolean(revoked));
  $('revoked-note').hidden = !revoked;
  for (const id of ['refresh', 'revoke', 'copy-as']) $(id).hidden = Boolean(revoked);
  for (const id of ['reveal-access-token', 'copy-access-token', 'reveal-refresh-token', 'copy-refresh-token']) $(id).disabled = Boolean(revoked);
  showTokenState();
  if (revoked) {
    $('revoked-text').textContent = revoked.text;
    $('expired-note').hidden = true;
    $('token-summary').textContent = '';
    return;
  }
  if (!view) return;
  if (!view.has_refresh_token) $('refresh-token').textContent = 'none';
  for (const id of ['reveal-refresh-token', 'copy-refresh-token', 'refresh']) $(id).disabled = !view.has_refresh_token;
  drawFacts(view);
  // The .env and export texts hold the variables of the profile's kind of server.
  const awx = selectedProfile()?.preset === 'awx';
  const names = awx ? 'CONTROLLER_HOST, CONTROLLER_OAUTH_TOKEN' : 'AAP_HOSTNAME, AAP_TOKEN, CONTROLLER_…';
  $('copy-as-env').textContent = `.env lines (${names})`;
  $('copy-as-shell').textContent = `export lines for a shell (${names})`;
  showExpiry();
}

/** User, scope, token ID, issue and expiry dates of a view (a live view's expiry is redrawn by showExpiry, with the time left). */
function drawFacts(view) {
  $('whoami').textContent = view.user || 'unknown (who-am-I did not answer)';
  $('token-scope').textContent = `${view.scope || 'not stated'} · ${view.token_type}`;
  $('token-kind').textContent = `#${view.fingerprint}`;
  $('issued').textContent = formatDate(view.issued_at);
  $('expires').textContent = view.expires_at ? formatDate(view.expires_at) : 'not stated by the server';
}

/** The expiry line, and the expired notice with its next step; redrawn as time passes. */
function showExpiry() {
  const view = state.view;
  if (!view) return;
  const expired = Boolean(view.expires_at) && Date.parse(view.expires_at) <= Date.now();
  const left = view.expires_at ? timeLeft(view.expires_at) : '';
  $('expires').textContent = view.expires_at
    ? `${formatDate(view.expires_at)} (${left})`
    : 'not stated by the server';
  $('expires').classList.toggle('expired', expired);
  $('token-summary').textContent = `${view.user || 'unknown user'} · ${view.expires_at ? left : 'no expiry stated'}`;
  $('expired-note').hidden = !expired;
  if (expired) {
    $('expired-text').textContent = view.has_refresh_token
      ? 'The access token has expired.'
      : 'The access token has expired, and there is no refresh token to renew it.';
    $('expired-action').textContent = view.has_refresh_token ? 'Refresh' : 'Get new token';
  }
  showTokenState();
}

setInterval(showExpiry, 5000);

/** The expired notice's button: Refresh, or a new sign-in when nothing can be refreshed. */
export async function renewExpired() {
  if (state.view?.has_refresh_token) await refresh();
  else await getToken();
}

/**
 * Auto-refresh outcomes, as Rust reports them, for as long as the page lives: the
 * chosen profile's view follows, and a failure shows in the notice.
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
        fail(news.error, news.profile);
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

/**
 * Rust copies, so tokens never revealed never pass through the page. The confirmation is
 * on the button pressed, with the clearing said beside the token.
 */
export async function copy(what, buttonId) {
  const message = await invoke('copy_token', { name: state.selected, what });
  showCopied(buttonId);
  const note = $('copy-note');
  const clears = /cleared in (\d+) s/.exec(message);
  note.textContent = clears ? `Copied · clears in ${clears[1]} s` : 'Copied';
  note.dataset.message = message;
  clearTimeout(copy.timer);
  copy.timer = setTimeout(() => { note.textContent = ''; }, clears ? Number(clears[1]) * 1000 : 4000);
}

export function toggleCopyMenu(open = $('copy-as-menu').hidden) {
  $('copy-as-menu').hidden = !open;
  $('copy-as').setAttribute('aria-expanded', String(open));
  if (open) $('copy-as-menu').querySelector('button')?.focus();
}

/** A Copy as item copies at once, and closes the menu. */
export async function copyAs(event) {
  const item = event.target.closest('[data-copy]');
  if (!item) return;
  toggleCopyMenu(false);
  $('copy-as').focus();
  await copy(item.dataset.copy, 'copy-as');
}

/** Arrow keys move within the open menu; Escape closes it. */
export function copyMenuKeys(event) {
  const items = [...$('copy-as-menu').querySelectorAll('button')];
  const at = items.indexOf(document.activeElement);
  if (event.key === 'Escape') {
    event.preventDefault();
    event.stopPropagation();
    toggleCopyMenu(false);
    $('copy-as').focus();
  } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
    event.preventDefault();
    const step = event.key === 'ArrowDown' ? 1 : -1;
    items[(at + step + items.length) % items.length]?.focus();
  }
}

export async function refresh() {
  const name = state.selected;
  const view = await busy('refresh', 'Refreshing…', () => invoke('refresh_tokens', { name }));
  if (state.selected !== name) return;
  showTokens(view);
  say('Refreshed: a new pair is stored, and the server no longer accepts the old one.');
  await showHistory();
}

export async function revoke() {
  const name = state.selected;
  const ok = await choose(
    `Revoke the tokens of “${name}”? Anything using them stops working.`,
    'Revoke',
  );
  if (ok !== 'confirm') return;
  await revokeNow(name);
  await showHistory();
}

/** Revokes and shows the outcome; true when the server was seen to refuse the token after. */
async function revokeNow(name) {
  const revokedView = state.view;
  const report = await busy('revoke', 'Revoking…', () => invoke('revoke_tokens', { name }));
  if (report.verified) {
    const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' }).format(new Date());
    state.revoked = { name, view: revokedView, text: `Revoked · the server answers 401 to it · ${time}` };
    if (state.selected === name) {
      showTokens(null);
      $('revoked-action').focus();
    }
    say(report.message);
  } else {
    say(report.message, 'warn');
  }
  return report.verified;
}

// ---- sign-in ---------------------------------------------------------------

/** The controls that would change the profile, or start a second sign-in, meanwhile. */
const LOCKED_WHILE_SIGNING_IN = [
  'get-token', 'revoked-action', 'expired-action', 'new-profile', 'edit-profile', 'delete-profile', 'profile-select',
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
  const profile = selectedProfile();
  if (!profile || state.attempt || state.starting) return;
  // Set before the first wait: a second click (or the notice's button) starts nothing.
  state.starting = true;
  try {
    await startSignIn(profile);
  } finally {
    state.starting = false;
    if (!state.attempt) lockProfile(false);
  }
}

async function startSignIn(profile) {
  // The sign-in shows in the token card (also when asked from another tab's notice).
  showTab('tokens');
  const view = state.view;
  const stillWorks = view && (view.has_refresh_token || !view.expires_at || Date.parse(view.expires_at) > Date.now());
  if (stillWorks) {
    const answer = await choose(
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
  const started = await busy('get-token', 'Opening…', () => invoke('begin_sign_in', { name: profile.name }));
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
    $('setup').open = false;
    say(`Signed in as ${signedIn.user || 'an unknown user'}; the tokens are stored in the OS keyring.`);
    $('copy-access-token').focus();
  } catch (error) {
    if (state.attempt === attempt) stopWaiting();
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

export async function reopenBrowser() {
  const message = await invoke('reopen_browser');
  $('waiting-text').textContent = message;
}

// ---- session history -----------------------------------------------------

/** At most this many entries are drawn; the filter reaches the rest. */
const HISTORY_SHOWN = 200;

export async function showHistory() {
  const start = performance.now();
  const entries = await invoke('session_history');
  // Entries already drawn keep their objects and their list items: after a sign-in only
  // the new entry (and a changed badge or two) touches the page, however long the list.
  const known = new Map(state.history.map((entry) => [entry.id, entry]));
  state.history = entries.map((entry) => {
    const same = known.get(entry.id);
    if (same && same.state === entry.state) return same;
    const text = `${entry.profile} · #${entry.fingerprint} · ${entry.user || '?'} · ${formatDate(entry.issued_at)}`;
    return { id: entry.id, text, search: `${entry.state} ${text}`.toLowerCase(), state: entry.state, item: same?.item };
  });
  $('history-filter').hidden = entries.length < 2;
  renderHistory();
  measureUntilPainted('history', start);
}

/** The list item of an entry, made once and given its current state. */
function historyItem(entry) {
  if (!entry.item) {
    const li = document.createElement('li');
    const badge = document.createElement('span');
    badge.className = 'badge';
    const text = document.createElement('span');
    text.className = 'entry';
    text.textContent = entry.text;
    li.append(badge, ' ', text);
    entry.item = li;
  }
  const li = entry.item;
  if (li.dataset.state !== entry.state) {
    li.dataset.state = entry.state;
    li.firstChild.dataset.state = entry.state;
    li.firstChild.textContent = entry.state;
  }
  return li;
}

/**
 * Draws the newest entries matching the filter (state, profile, #fingerprint, user, date),
 * moving only the items whose place changed: a new entry is one insertion at the top.
 */
function renderHistory() {
  const filter = filterWords('history-filter');
  const matching = state.history.filter((entry) => matches(entry.search, filter));
  const hint = (text) => {
    const li = document.createElement('li');
    li.className = 'hint';
    li.textContent = text;
    return li;
  };
  const items = matching.slice(0, HISTORY_SHOWN).map(historyItem);
  if (state.history.length === 0) items.push(hint('Tokens you get, refresh or revoke in this window are listed here.'));
  else if (matching.length === 0) items.push(hint('No token of this session matches.'));
  else if (matching.length > HISTORY_SHOWN) {
    items.push(hint(`${(matching.length - HISTORY_SHOWN).toLocaleString()} older entries are not shown; filter to find them.`));
  }
  const list = $('history');
  const kept = new Set(items);
  for (const child of [...list.children]) if (!kept.has(child)) child.remove();
  items.forEach((item, index) => {
    const there = list.children[index];
    if (there !== item) list.insertBefore(item, there ?? null);
  });
  showCount('history-count', matching.length, state.history.length, 'entries');
}

export function filterHistory() {
  const start = performance.now();
  renderHistory();
  measureUntilPainted('filter history', start);
}
