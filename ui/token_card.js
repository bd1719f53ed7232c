// The chosen profile's token card: its states (none, tokens, expired, revoked), the
// strip's badge, reveal, copy and Copy as, refresh, auto-refresh news and revoke
// (commands in tokens.rs). Tokens arrive only on Reveal or Copy.

import {
  $, invoke, state, selectedProfile, setRevealed, toggleReveal, busy, showCopied, hostOf,
  formatDate, timeLeft, setTokenMark,
} from './page.js';
import { say, fail } from './status.js';
import { choose, toggleMenu, menuKeys } from './dialogs.js';
import { showHistory } from './history.js';
import { showPatWay } from './personal_tokens.js';

/** Which part of the card shows: 'none', 'waiting' or 'tokens'. */
export function showCardPart(part) {
  $('token-empty').hidden = part !== 'none';
  $('waiting').hidden = part !== 'waiting';
  $('token-view').hidden = part !== 'tokens';
}

/**
 * The one suggested action of each state (the GNOME HIG's rule): Get token with no token
 * or a revoked one, the expired notice's Refresh, Copy while the token is valid.
 */
const PRIMARY_OF_STATE = {
  none: 'get-token', revoked: 'get-token', waiting: null, expired: 'expired-action', valid: 'copy-access-token',
};

/** The strip's badge and the one primary button follow the token's state. */
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
  // Expired with nothing to refresh: the strip's Get new token is the way on.
  let primary = PRIMARY_OF_STATE[tokenState];
  if (tokenState === 'expired' && !view.has_refresh_token) primary = 'get-token';
  for (const id of ['get-token', 'expired-action', 'copy-access-token']) $(id).classList.toggle('primary', id === primary);
  // The Personal tokens tab's way depends on this token and its scope.
  showPatWay();
  if (tokenState !== 'waiting') setTokenMark(state.selected, { valid: 'valid', expired: 'expired' }[tokenState] ?? 'no_token');
}

/** What the empty card says, for the chosen profile's kind of sign-in. */
function showEmptyText() {
  const profile = selectedProfile();
  if (!profile) return;
  const host = hostOf(profile.base_url);
  $('token-empty-text').textContent = profile.grant === 'password'
    ? `Enter your username and password for ${host}, then press Get token. The tokens are kept in your secret store, never in plain text.`
    : `Get token opens ${host}'s sign-in page in your browser. Once you approve there, the tokens appear here and are kept in your secret store.`;
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
  // One Refresh: the expired notice's, while it shows.
  $('refresh').hidden = expired;
  if (expired) {
    $('expired-text').textContent = view.has_refresh_token
      ? 'The access token has expired.'
      : 'The access token has expired, and there is no refresh token to renew it: press Get new token.';
    $('expired-action').hidden = !view.has_refresh_token;
  }
  showTokenState();
}

setInterval(showExpiry, 5000);

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
        if (news.clipboard_cleared) forgetCopyNote(true);
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
  const name = state.selected;
  const copied = await invoke('copy_token', { name, what });
  const message = copied.message;
  showCopied(buttonId);
  // Copied from the stored pair, which another program renewed since this one was drawn.
  if (copied.fingerprint && state.view && copied.fingerprint !== state.view.fingerprint) {
    await redrawStoredTokens(name, 'Copied the newest token: another program renewed the pair shown here.');
  }
  const note = $('copy-note');
  const clears = /cleared in (\d+) s/.exec(message);
  note.textContent = clears ? `Copied · clears in ${clears[1]} s` : 'Copied';
  note.dataset.message = message;
  clearTimeout(copy.timer);
  copy.timer = setTimeout(() => { note.textContent = ''; }, clears ? Number(clears[1]) * 1000 : 4000);
}

/**
 * The note beside the tokens about the last copy, emptied when that copy is gone; when Rust
 * took a worthless copy off the clipboard (`cleared`), it says so, and what to do.
 */
function forgetCopyNote(cleared = false) {
  clearTimeout(copy.timer);
  $('copy-note').textContent = cleared ? 'Clipboard cleared: the copied token no longer works · copy the new one' : '';
}

/**
 * Draws the profile's stored tokens again, when they are not the pair shown (another
 * program renewed, replaced or removed them); `said` tells the user why the card changed.
 * True when it changed.
 */
export async function redrawStoredTokens(name, said) {
  const stored = await invoke('current_tokens', { name });
  if (state.selected !== name || state.attempt) return false;
  const shown = state.view?.fingerprint ?? null;
  if ((stored?.fingerprint ?? null) === shown) return false;
  // Revoked here: the card keeps saying so, rather than "no token".
  if (!stored && !state.view) return false;
  if (stored && state.revoked?.name === name) state.revoked = null;
  showTokens(stored);
  forgetCopyNote();
  say(said ?? (stored
    ? `Another program stored new tokens for “${name}” (#${stored.fingerprint}); they are shown now.`
    : `Another program removed the tokens of “${name}”.`), 'neutral');
  await showHistory();
  return true;
}

export function toggleCopyMenu(open = $('copy-as-menu').hidden) {
  toggleMenu('copy-as', 'copy-as-menu', open);
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
  menuKeys(event, 'copy-as', 'copy-as-menu');
}

/**
 * Refreshes the pair shown. Rust reads the stored pair under the refresh lock first: when
 * another program renewed it meanwhile, its pair is shown and not rotated again, since
 * the server would then refuse the token that program handed out.
 */
export async function refresh() {
  const name = state.selected;
  const shown = state.view?.fingerprint ?? '';
  const done = await busy('refresh', 'Refreshing…', () => invoke('refresh_tokens', { name, shown }));
  if (state.selected !== name) return;
  showTokens(done.view);
  // The old pair's copy left the clipboard with it (Rust took it off).
  forgetCopyNote(done.clipboard_cleared);
  say(done.by_another_program
    ? 'Another program had renewed these tokens already: its pair is shown, and still works (not refreshed again).'
    : 'Refreshed: a new pair is stored, and the server no longer accepts the old one.');
  await showHistory();
}

export async function revoke() {
  const name = state.selected;
  const ok = await choose(
    'Revoke the tokens?',
    `Revoke the tokens of “${name}”? Anything using them stops working.`,
    'Revoke',
  );
  if (ok !== 'confirm') return;
  await revokeNow(name);
  await showHistory();
}

/** Revokes and shows the outcome; true when the server was seen to refuse the token after. */
export async function revokeNow(name) {
  const revokedView = state.view;
  const shown = revokedView?.fingerprint ?? '';
  let report;
  try {
    report = await busy('revoke', 'Revoking…', () => invoke('revoke_tokens', { name, shown }));
  } catch (error) {
    // Refused because another program stored new tokens: the card shows them now.
    await redrawStoredTokens(name, null).catch(() => {});
    throw error;
  }
  if (report.verified) {
    const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' }).format(new Date());
    state.revoked = { name, view: revokedView, text: `Revoked · the server answers 401 to it · ${time}` };
    if (state.selected === name) {
      showTokens(null);
      forgetCopyNote(report.clipboard_cleared);
      // Get token is the revoked card's one action.
      $('get-token').focus();
    }
    say(report.message);
  } else {
    say(report.message, 'warn');
  }
  return report.verified;
}
