// What every module of the window shares: the state, DOM and time helpers, list filters, paint timing.

// Before anything is drawn: on Linux the web view is WebKitGTK, whose fonts come from
// fontconfig (style.css says why that changes the font family asked for).
if (navigator.platform.startsWith('Linux')) document.documentElement.dataset.fontconfig = '';
document.body.hidden = false;
performance.mark('modules');

export const { invoke } = window.__TAURI__.core;
export const $ = (id) => document.getElementById(id);
export const MASK = '•'.repeat(20);

export const state = {
  profiles: [],
  // The chosen profile's revoked tokens, as the revoke reported it: { name, text }.
  revoked: null,
  selected: null,
  attempt: null,
  countdown: null,
  editing: null,
  // Whether the user picked the server kind in the form (else the server's answer picks it).
  presetChosen: false,
  // Endpoint fields the user typed into; untouched ones follow the preset on the server side.
  endpointsEdited: false,
  tab: 'tokens',
  // Whether the keyring holds a profile's client secret: { name, stored }, for the chosen one.
  secretStored: null,
  // In the form: whether the edited profile had a secret stored that it may keep, and
  // whether the fields as they are now still let it (else the secret must be typed).
  secretKeepable: false,
  secretRequired: true,
  // The chosen profile's tokens as shown (a TokenView, never the tokens), or null.
  view: null,
  // This session's tokens as listed: { text, search, state }, newest first.
  history: [],
  // How many of this window's actions are under way (busy buttons): changes other
  // programs made wait until none is, so nothing is redrawn under the user's click.
  running: 0,
  // The picker's token mark of each profile ('valid', 'expired', 'no_token'), by name.
  tokenMarks: new Map(),
  // The profiles the picker's filter matches now, in order (Enter picks the first).
  pickerMatches: [],
};

/** What a token mark adds to a profile's entry in the picker. */
const MARK_WORDS = { valid: ' · token valid', expired: ' · token expired', no_token: '' };

/** A profile's entry in the picker: name, server, and its token's state. */
export function profileOptionText(profile) {
  return `${profile.name} — ${profile.host}${MARK_WORDS[state.tokenMarks.get(profile.name)] ?? ''}`;
}

/** Sets a profile's token mark, and its entry in the picker with it. */
export function setTokenMark(name, mark) {
  if (!name || !(mark in MARK_WORDS) || state.tokenMarks.get(name) === mark) return;
  state.tokenMarks.set(name, mark);
  const profile = state.profiles.find((p) => p.name === name);
  const option = [...document.getElementById('profile-select').options].find((o) => o.value === name);
  if (profile && option) option.text = profileOptionText(profile);
}

export function selectedProfile() {
  return state.profiles.find((p) => p.name === state.selected) || null;
}

// ---- secrets -------------------------------------------------------------

/**
 * Shows a secret (a string) or masks it (null), and sets its Reveal/Hide button to match:
 * the one place that flips the two together.
 */
export function setRevealed(valueId, buttonId, value) {
  const node = $(valueId);
  node.textContent = value ?? MASK;
  node.classList.toggle('masked', value == null);
  node.classList.toggle('shown', value != null);
  const button = $(buttonId);
  // Show and Hide are drawn at one width, so Copy beside them never moves.
  button.textContent = value == null ? 'Show' : 'Hide';
  button.setAttribute('aria-pressed', String(value != null));
}

/** Hides a shown secret, or asks `fetchSecret` for it: tokens reach the page only this way. */
export async function toggleReveal(valueId, buttonId, fetchSecret) {
  const shown = $(buttonId).getAttribute('aria-pressed') === 'true';
  setRevealed(valueId, buttonId, shown ? null : await fetchSecret());
}

/** The host (and port) of a URL, to name a server briefly; the text itself if it is none. */
export function hostOf(url) {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

// ---- time ----------------------------------------------------------------

export function timeLeft(iso) {
  const seconds = (Date.parse(iso) - Date.now()) / 1000;
  if (!Number.isFinite(seconds)) return '';
  if (seconds <= 0) return 'expired';
  const units = [['year', 365 * 86400], ['day', 86400], ['hour', 3600], ['minute', 60]];
  for (const [name, size] of units) {
    if (seconds >= size) {
      const n = Math.floor(seconds / size);
      return `${n.toLocaleString()} ${name}${n === 1 ? '' : 's'} left`;
    }
  }
  return 'less than a minute left';
}

// One formatter for every date: making one per call costs about a quarter of a millisecond,
// which a long history pays a thousand times. Made when first needed, not while the page starts.
let dateFormat = null;

export function formatDate(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  dateFormat ??= new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  return dateFormat.format(date);
}

// ---- timing --------------------------------------------------------------

/**
 * Records, as a User Timing measure, how long a list took from `start` until the frame
 * showing it was painted: `cargo xtask bench` reads these. Only the latest few are kept.
 */
export function measureUntilPainted(name, start) {
  afterPaint(() => {
    if (performance.getEntriesByName(name).length >= 50) performance.clearMeasures(name);
    performance.measure(name, { start, end: performance.now() });
  });
}

/** Runs `then` once the next frame has been painted. */
export function afterPaint(then) {
  requestAnimationFrame(() => setTimeout(then));
}

// ---- list filters --------------------------------------------------------

/** Lower-case text a filter matches against; every word typed must appear in it. */
export function matches(haystack, filter) {
  return filter.every((word) => haystack.includes(word));
}

export function filterWords(id) {
  return $(id).value.toLowerCase().split(/\s+/).filter(Boolean);
}

export function showCount(id, shown, total, noun) {
  $(id).textContent = shown === total ? '' : `${shown.toLocaleString()} of ${total.toLocaleString()} ${noun}`;
}

// ---- buttons ---------------------------------------------------------------

/**
 * Runs `work` with the button disabled and saying what is under way ("Refreshing…"),
 * then puts its label back, whatever the outcome.
 */
export async function busy(buttonId, label, work) {
  const button = $(buttonId);
  const idle = button.textContent;
  button.disabled = true;
  button.textContent = label;
  state.running += 1;
  try {
    return await work();
  } finally {
    state.running -= 1;
    button.textContent = idle;
    button.disabled = false;
  }
}

const copiedTimers = new Map();

/** Says "Copied" on the button that copied, and for a while only. */
export function showCopied(buttonId) {
  const button = $(buttonId);
  if (!button) return;
  clearTimeout(copiedTimers.get(buttonId));
  if (!button.dataset.idle) button.dataset.idle = button.textContent;
  button.textContent = 'Copied';
  copiedTimers.set(buttonId, setTimeout(() => {
    button.textContent = button.dataset.idle;
    delete button.dataset.idle;
  }, 2500));
}
