// This session's history: every token the window got, newest first, with its state, for
// the chosen profile (or, with All profiles, every one), filtered by words (command
// session_history in tokens.rs).

import {
  $, invoke, state, formatDate, filterWords, matches, showCount, measureUntilPainted,
} from './page.js';

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
    return {
      id: entry.id, profile: entry.profile, text, search: `${entry.state} ${text}`.toLowerCase(), state: entry.state, item: same?.item,
    };
  });
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
  const all = $('history-all').checked;
  const listed = all ? state.history : state.history.filter((entry) => entry.profile === state.selected);
  $('history-filter').hidden = listed.length < 2;
  const matching = listed.filter((entry) => matches(entry.search, filter));
  const hint = (text) => {
    const li = document.createElement('li');
    li.className = 'hint';
    li.textContent = text;
    return li;
  };
  const items = matching.slice(0, HISTORY_SHOWN).map(historyItem);
  if (listed.length === 0) {
    items.push(hint(all || state.history.length === 0
      ? 'Tokens you get, refresh or revoke in this window are listed here.'
      : 'No token of this profile yet in this session; All profiles lists the others.'));
  }
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
  showCount('history-count', matching.length, listed.length, 'entries');
}

export function filterHistory() {
  const start = performance.now();
  renderHistory();
  measureUntilPainted('filter history', start);
}
