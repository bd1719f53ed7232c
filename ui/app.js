// AuthDesk's window. All OAuth work happens in Rust; this file shows state and calls
// the commands. Tokens arrive here only when the user presses Reveal.

const { invoke } = window.__TAURI__.core;
const $ = (id) => document.getElementById(id);
const MASK = '•'.repeat(24);

const state = {
  profiles: [],
  selected: null,
  attempt: null,
  countdown: null,
  editing: null,
  // Endpoint fields the user typed into; untouched ones follow the preset on the server side.
  endpointsEdited: false,
  tab: 'tokens',
  // Whether the keyring holds a profile's client secret: { name, stored }, for the chosen one.
  secretStored: null,
  // This session's tokens as listed: { text, search, state }, newest first.
  history: [],
};

const PRESET_NAMES = { awx: 'AWX', gateway: 'AAP gateway', custom: 'Custom' };

// ---- status and errors ---------------------------------------------------

function say(message, tone = 'ok') {
  const status = $('status');
  status.textContent = message;
  status.className = tone;
  $('error-details').hidden = true;
  $('error-body').textContent = '';
}

function fail(error) {
  const e = typeof error === 'string' ? { message: error } : (error || {});
  say(e.message || String(error), 'error');
  if (e.details || e.status) {
    $('error-body').textContent = [e.status ? `HTTP ${e.status}` : '', e.details || ''].filter(Boolean).join('\n');
    $('error-details').hidden = false;
  }
}

/** Runs a handler; an error becomes one sentence on the status line. */
function action(handler) {
  return async (event) => {
    try {
      await handler(event);
    } catch (error) {
      fail(error);
    }
  };
}

// ---- time ----------------------------------------------------------------

function timeLeft(iso) {
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
// which a long history pays a thousand times.
const DATE_FORMAT = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function formatDate(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : DATE_FORMAT.format(date);
}

// ---- timing --------------------------------------------------------------

/**
 * Records, as a User Timing measure, how long a list took from `start` until the frame
 * showing it was painted: `cargo xtask bench` reads these. Only the latest few are kept.
 */
function measureUntilPainted(name, start) {
  afterPaint(() => {
    if (performance.getEntriesByName(name).length >= 50) performance.clearMeasures(name);
    performance.measure(name, { start, end: performance.now() });
  });
}

/** Runs `then` once the next frame has been painted. */
function afterPaint(then) {
  requestAnimationFrame(() => setTimeout(then));
}

/** Lower-case text a filter matches against; every word typed must appear in it. */
function matches(haystack, filter) {
  return filter.every((word) => haystack.includes(word));
}

function filterWords(id) {
  return $(id).value.toLowerCase().split(/\s+/).filter(Boolean);
}

function showCount(id, shown, total, noun) {
  $(id).textContent = shown === total ? '' : `${shown.toLocaleString()} of ${total.toLocaleString()} ${noun}`;
}

// ---- profiles ------------------------------------------------------------

function selectedProfile() {
  return state.profiles.find((p) => p.name === state.selected) || null;
}

/**
 * Lists the profiles and shows the chosen one. `onListed` runs as soon as the list and the
 * profile's panel are drawn, before its details arrive from the keyring.
 */
async function loadProfiles(select, onListed) {
  const start = performance.now();
  state.profiles = await invoke('list_profiles');
  for (const profile of state.profiles) profile.search = `${profile.name} ${profile.base_url}`.toLowerCase();
  const names = state.profiles.map((p) => p.name);
  if (select && names.includes(select)) state.selected = select;
  else if (!names.includes(state.selected)) state.selected = names.length === 1 ? names[0] : null;
  $('profile-filter').hidden = names.length < 2;
  fillProfilePicker();
  $('profile-select').disabled = names.length === 0;
  $('empty').hidden = names.length > 0;
  measureUntilPainted('profiles', start);
  const details = showProfile();
  onListed?.();
  await details;
}

/** The picker holds the profiles matching the filter (name or server), and always the chosen one. */
function fillProfilePicker() {
  const filter = filterWords('profile-filter');
  const shown = state.profiles.filter((p) => p.name === state.selected || matches(p.search, filter));
  const picker = $('profile-select');
  const options = shown.map((p) => new Option(p.name, p.name, false, p.name === state.selected));
  if (!state.selected && state.profiles.length !== 1) {
    const hint = shown.length === 0 ? 'No profile matches' : 'Choose a profile…';
    options.unshift(new Option(hint, '', true, true));
  }
  picker.replaceChildren(...options);
  showCount('profile-count', shown.length, state.profiles.length, 'profiles');
}

function filterProfiles() {
  const start = performance.now();
  fillProfilePicker();
  measureUntilPainted('filter profiles', start);
}

async function showProfile() {
  const profile = selectedProfile();
  $('tabs').hidden = !profile;
  $('edit-profile').disabled = !profile;
  $('delete-profile').disabled = !profile;
  // Logins typed for one profile never linger for another.
  for (const id of ['login-password', 'pat-password']) $(id).value = '';
  $('pat-list').replaceChildren();
  $('pat-created').hidden = true;
  setSecret('pat-token', null);
  $('reveal-pat').textContent = 'Reveal';
  $('reveal-pat').setAttribute('aria-pressed', 'false');
  showTab(profile ? state.tab : null);
  if (!profile) return;
  const passwordGrant = profile.grant === 'password';
  $('password-login').hidden = !passwordGrant;
  $('redirect-card').hidden = passwordGrant;
  $('redirect-uri').textContent = profile.redirect_uri ?? '';
  $('tab-pats').disabled = profile.preset === 'custom';
  // What the keyring holds arrives a moment later; nothing of another profile shows meanwhile.
  $('server-summary').textContent = '';
  showTokens(null);
  const name = profile.name;
  const [secretStored, tokens] = await Promise.all([
    invoke('client_secret_stored', { name }),
    invoke('current_tokens', { name }),
  ]);
  // Another profile was chosen meanwhile: its own call shows it.
  if (state.selected !== name) return;
  state.secretStored = { name, stored: secretStored };
  const endpoints = profile.resolved_endpoints;
  $('server-summary').textContent = endpoints
    ? `${PRESET_NAMES[profile.preset] || profile.preset} at ${profile.base_url} · client ${profile.client_id} · scope ${profile.scope}` +
      (secretStored ? '' : ' · no client secret stored: edit the profile to add it')
    : '';
  showTokens(tokens);
  await showHistory();
}

function showTab(tab) {
  const profile = selectedProfile();
  // The login typed for personal tokens stays only while its tab is open.
  if (tab !== 'pats') $('pat-password').value = '';
  if (tab === 'pats' && profile?.preset === 'custom') tab = 'tokens';
  if (tab) state.tab = tab;
  $('profile-panel').hidden = tab !== 'tokens';
  $('pat-panel').hidden = tab !== 'pats';
  $('tab-tokens').setAttribute('aria-selected', String(tab === 'tokens'));
  $('tab-pats').setAttribute('aria-selected', String(tab === 'pats'));
}

function setSecret(id, value) {
  const node = $(id);
  node.textContent = value ?? MASK;
  node.classList.toggle('masked', value == null);
}

function showTokens(view) {
  $('token-view').hidden = !view;
  for (const which of ['access', 'refresh']) {
    setSecret(`${which}-token`, null);
    const reveal = $(`reveal-${which}-token`);
    reveal.textContent = 'Reveal';
    reveal.setAttribute('aria-pressed', 'false');
  }
  if (!view) return;
  if (!view.has_refresh_token) $('refresh-token').textContent = 'none';
  for (const id of ['reveal-refresh-token', 'copy-refresh-token', 'refresh']) $(id).disabled = !view.has_refresh_token;
  $('whoami').textContent = view.user || 'unknown (who-am-I did not answer)';
  $('token-kind').textContent = `${view.token_type} · ${view.scope || 'scope not stated'} · #${view.fingerprint}`;
  $('expires').textContent = view.expires_at ? `${formatDate(view.expires_at)} (${timeLeft(view.expires_at)})` : 'not stated by the server';
  $('issued').textContent = formatDate(view.issued_at);
}

/** At most this many entries are drawn; the filter reaches the rest. */
const HISTORY_SHOWN = 200;

async function showHistory() {
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

function filterHistory() {
  const start = performance.now();
  renderHistory();
  measureUntilPainted('filter history', start);
}

// ---- the profile form ----------------------------------------------------

const ENDPOINTS = ['authorize', 'token', 'revoke', 'whoami'];

function openProfileForm(profile) {
  state.editing = profile;
  const form = $('profile-form');
  form.reset();
  $('profile-error').textContent = '';
  $('profile-heading').textContent = profile ? `Edit ${profile.name}` : 'New profile';
  $('profile-name').value = profile?.name ?? '';
  $('profile-name').readOnly = Boolean(profile);
  $('profile-preset').value = profile?.preset ?? 'awx';
  $('profile-grant').value = profile?.grant ?? 'authorization_code';
  $('setup-row').hidden = Boolean(profile);
  $('profile-base-url').value = profile?.base_url ?? '';
  $('profile-client-id').value = profile?.client_id ?? '';
  $('profile-client-secret').value = '';
  $('secret-state').textContent = profile && state.secretStored?.name === profile.name && state.secretStored.stored
    ? 'A secret is stored in the OS keyring; leave this empty to keep it.'
    : 'Shown once by the server when the application was created. It goes to the OS keyring only.';
  $('profile-redirect-uri').value = profile?.redirect_uri ?? 'http://127.0.0.1/callback';
  $('profile-scope').value = profile?.scope ?? 'read';
  $('profile-auth').value = profile?.client_auth ?? 'basic';
  $('profile-ca-file').value = profile?.ca_file ?? '';
  $('profile-pin').value = profile?.pin_sha256 ?? '';
  $('profile-pkce').checked = Boolean(profile?.pkce);
  for (const name of ENDPOINTS) $(`endpoint-${name}`).value = profile?.resolved_endpoints?.[name] ?? '';
  state.endpointsEdited = profile?.preset === 'custom';
  showGrantFields();
  $('profile-dialog').showModal();
  (profile ? $('profile-base-url') : $('profile-name')).focus();
}

function showGrantFields() {
  const code = $('profile-grant').value === 'authorization_code';
  for (const node of document.querySelectorAll('.code-grant')) node.hidden = !code;
}

async function fillPresetEndpoints() {
  const preset = $('profile-preset').value;
  const base = $('profile-base-url').value.trim();
  if (preset === 'custom' || !base) return;
  try {
    const endpoints = await invoke('preset_endpoints', { preset, baseUrl: base });
    if (endpoints) for (const name of ENDPOINTS) $(`endpoint-${name}`).value = endpoints[name];
    $('profile-error').textContent = '';
  } catch (error) {
    $('profile-error').textContent = error.message || String(error);
  }
}

/** The profile form's fields as the core's ProfileDraft (without client ID and endpoints). */
function profileDraft() {
  const grant = $('profile-grant').value;
  return {
    name: $('profile-name').value.trim(),
    preset: $('profile-preset').value,
    base_url: $('profile-base-url').value.trim(),
    client_id: '',
    grant,
    redirect_uri: grant === 'authorization_code' ? $('profile-redirect-uri').value.trim() : '',
    scope: $('profile-scope').value,
    ca_file: $('profile-ca-file').value.trim() || null,
    pin_sha256: $('profile-pin').value.trim() || null,
    pkce: $('profile-pkce').checked,
    client_auth: $('profile-auth').value,
    endpoints: null,
  };
}

// ---- application set-up ----------------------------------------------------

function appLogin() {
  return { username: $('app-username').value.trim(), password: $('app-password').value };
}

function openAppSetup() {
  const draft = profileDraft();
  $('profile-error').textContent = '';
  if (!draft.name || !draft.base_url) {
    $('profile-error').textContent = 'Fill in the name and base URL first; the application is made for that profile and server.';
    return;
  }
  if (draft.preset === 'custom') {
    $('profile-error').textContent = 'Application set-up needs the AWX or gateway preset: AuthDesk does not know a custom server\'s API.';
    return;
  }
  $('app-form').reset();
  $('app-error').textContent = '';
  $('app-server').textContent = draft.base_url;
  $('app-profile').textContent = draft.name;
  $('app-name').value = `AuthDesk ${draft.name}`;
  $('app-organization').replaceChildren();
  $('app-organization').disabled = true;
  $('app-create').disabled = true;
  $('app-dialog').showModal();
  $('app-username').focus();
}

async function loadOrganizations() {
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
    $('app-error').textContent = error.message || String(error);
  }
}

async function createApplication(event) {
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
    $('app-error').textContent = error.message || String(error);
  } finally {
    $('app-password').value = '';
    $('app-create').disabled = $('app-organization').disabled;
  }
}

// ---- personal access tokens -------------------------------------------------

function patLogin() {
  return { username: $('pat-username').value.trim(), password: $('pat-password').value };
}

async function createPersonalToken() {
  const created = await invoke('create_personal_token', {
    name: state.selected,
    login: patLogin(),
    description: $('pat-description').value.trim(),
    scope: $('pat-scope').value,
  });
  $('pat-created').hidden = false;
  $('pat-created-label').textContent = `#${created.id} “${created.description}” (${created.scope})`;
  setSecret('pat-token', null);
  $('reveal-pat').textContent = 'Reveal';
  $('reveal-pat').setAttribute('aria-pressed', 'false');
  say(`Created personal access token ${created.id}.`);
  await listPersonalTokens();
}

async function revealPersonalToken() {
  const button = $('reveal-pat');
  const shown = button.getAttribute('aria-pressed') === 'true';
  setSecret('pat-token', shown ? null : await invoke('reveal_personal_token', { name: state.selected }));
  button.textContent = shown ? 'Reveal' : 'Hide';
  button.setAttribute('aria-pressed', String(!shown));
}

async function listPersonalTokens() {
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

async function saveProfile(event) {
  event.preventDefault();
  const secretInput = $('profile-client-secret');
  const endpoints = Object.fromEntries(ENDPOINTS.map((name) => [name, $(`endpoint-${name}`).value.trim()]));
  // Endpoints the user did not type are not sent: the preset derives them from the base URL,
  // so a fill still in flight can never pin the profile to an old server.
  const sendEndpoints = state.endpointsEdited || $('profile-preset').value === 'custom';
  const input = {
    ...profileDraft(),
    is_new: !state.editing,
    // Set with the CLI's --request-timeout; the form has no field for it, so it is kept.
    request_timeout_secs: state.editing?.request_timeout_secs ?? null,
    client_id: $('profile-client-id').value.trim(),
    endpoints: sendEndpoints ? endpoints : null,
    client_secret: secretInput.value || null,
  };
  try {
    await invoke('save_profile', { input });
  } catch (error) {
    $('profile-error').textContent = error.message || String(error);
    return;
  } finally {
    // The secret is in the keyring now (or must be typed again): never keep it in the page.
    secretInput.value = '';
    input.client_secret = null;
  }
  $('profile-dialog').close();
  await loadProfiles(input.name);
  say(`Saved profile “${input.name}”.`);
}

// ---- confirm -------------------------------------------------------------

function confirmAction(text, label) {
  const dialog = $('confirm-dialog');
  $('confirm-text').textContent = text;
  $('confirm').textContent = label;
  dialog.showModal();
  $('confirm-cancel').focus();
  return new Promise((resolve) => {
    const done = (answer) => () => {
      dialog.close();
      $('confirm').onclick = null;
      $('confirm-cancel').onclick = null;
      dialog.oncancel = null;
      resolve(answer);
    };
    $('confirm').onclick = done(true);
    $('confirm-cancel').onclick = done(false);
    dialog.oncancel = done(false);
  });
}

// ---- sign-in, refresh, revoke --------------------------------------------

function stopWaiting() {
  clearInterval(state.countdown);
  state.countdown = null;
  state.attempt = null;
  $('waiting').hidden = true;
  for (const id of ['get-token', 'new-profile', 'edit-profile', 'delete-profile']) $(id).disabled = false;
  $('profile-select').disabled = state.profiles.length === 0;
}

async function getToken() {
  const profile = selectedProfile();
  if (!profile) return;
  if (profile.grant === 'password') {
    const login = { username: $('login-username').value.trim(), password: $('login-password').value };
    say('Asking the server…');
    try {
      const view = await invoke('password_sign_in', { name: profile.name, login });
      showTokens(view);
      say(`Signed in as ${view.user || 'an unknown user'}; the tokens are stored in the OS keyring.`);
    } finally {
      $('login-password').value = '';
      await showHistory();
    }
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

async function reveal(which) {
  const button = $(`reveal-${which}-token`);
  if (button.getAttribute('aria-pressed') === 'true') {
    setSecret(`${which}-token`, null);
    button.textContent = 'Reveal';
    button.setAttribute('aria-pressed', 'false');
    return;
  }
  const token = await invoke('reveal_token', { name: state.selected, which });
  setSecret(`${which}-token`, token);
  button.textContent = 'Hide';
  button.setAttribute('aria-pressed', 'true');
}

async function copy(what) {
  say(await invoke('copy_token', { name: state.selected, what }));
}

async function refresh() {
  const view = await invoke('refresh_tokens', { name: state.selected });
  showTokens(view);
  say('Refreshed: a new pair is stored, and the server no longer accepts the old one.');
  await showHistory();
}

async function revoke() {
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

async function deleteProfile() {
  const name = state.selected;
  if (!name) return;
  const ok = await confirmAction(`Delete the profile “${name}” and its secret and tokens from the keyring?`, 'Delete');
  if (!ok) return;
  await invoke('delete_profile', { name });
  state.selected = null;
  await loadProfiles();
  say(`Deleted profile “${name}”.`);
}

// ---- settings ------------------------------------------------------------

async function openSettings() {
  const settings = await invoke('get_settings');
  $('clipboard-clear').value = settings.clipboard_clear_secs;
  $('settings-dialog').showModal();
}

async function saveSettings() {
  const seconds = Number.parseInt($('clipboard-clear').value, 10);
  const saved = await invoke('save_settings', { clipboardClearSecs: Number.isFinite(seconds) ? seconds : 60 });
  $('settings-dialog').close();
  say(saved.clipboard_clear_secs ? `Copied tokens are cleared after ${saved.clipboard_clear_secs} s.` : 'Copied tokens stay on the clipboard.');
}

// ---- wiring --------------------------------------------------------------

function wire() {
  $('profile-filter').addEventListener('input', filterProfiles);
  $('history-filter').addEventListener('input', filterHistory);
  $('profile-select').addEventListener('change', action(async (e) => {
    state.selected = e.target.value || null;
    await showProfile();
  }));
  $('new-profile').addEventListener('click', () => openProfileForm(null));
  $('empty-new-profile').addEventListener('click', () => openProfileForm(null));
  $('edit-profile').addEventListener('click', () => openProfileForm(selectedProfile()));
  $('delete-profile').addEventListener('click', action(deleteProfile));
  $('open-settings').addEventListener('click', action(openSettings));
  $('settings-save').addEventListener('click', action(saveSettings));
  $('settings-cancel').addEventListener('click', () => $('settings-dialog').close());
  $('profile-form').addEventListener('submit', action(saveProfile));
  $('profile-cancel').addEventListener('click', () => {
    $('profile-client-secret').value = '';
    $('profile-dialog').close();
  });
  $('profile-dialog').addEventListener('close', () => { $('profile-client-secret').value = ''; });
  $('profile-grant').addEventListener('change', showGrantFields);
  $('setup-app').addEventListener('click', openAppSetup);
  $('app-load-orgs').addEventListener('click', action(loadOrganizations));
  $('app-form').addEventListener('submit', action(createApplication));
  $('app-cancel').addEventListener('click', () => $('app-dialog').close());
  $('app-dialog').addEventListener('close', () => { $('app-password').value = ''; });
  $('tab-tokens').addEventListener('click', () => showTab('tokens'));
  $('tab-pats').addEventListener('click', () => showTab('pats'));
  $('pat-create').addEventListener('click', action(createPersonalToken));
  $('pat-list-button').addEventListener('click', action(listPersonalTokens));
  $('reveal-pat').addEventListener('click', action(revealPersonalToken));
  $('copy-pat').addEventListener('click', action(() => copy('personal_token')));
  $('profile-preset').addEventListener('change', action(async () => {
    state.endpointsEdited = $('profile-preset').value === 'custom';
    await fillPresetEndpoints();
  }));
  for (const name of ENDPOINTS) {
    $(`endpoint-${name}`).addEventListener('input', () => { state.endpointsEdited = true; });
  }
  $('profile-base-url').addEventListener('change', action(fillPresetEndpoints));
  $('copy-redirect-uri').addEventListener('click', action(() => copy('redirect_uri')));
  $('get-token').addEventListener('click', action(getToken));
  $('cancel').addEventListener('click', action(() => invoke('cancel_sign_in')));
  $('copy-authorize-url').addEventListener('click', action(() => copy('authorize_url')));
  $('reveal-access-token').addEventListener('click', action(() => reveal('access')));
  $('reveal-refresh-token').addEventListener('click', action(() => reveal('refresh')));
  $('copy-access-token').addEventListener('click', action(() => copy('access_token')));
  $('copy-refresh-token').addEventListener('click', action(() => copy('refresh_token')));
  $('copy-as-button').addEventListener('click', action(() => copy($('copy-as').value)));
  $('refresh').addEventListener('click', action(refresh));
  $('revoke').addEventListener('click', action(revoke));
}

/**
 * Shows the profiles, and tells Rust once that frame is painted: the window is ready for
 * input. The chosen profile's tokens fill in when the keyring answers, a little later.
 */
async function start() {
  const scriptMs = performance.now();
  wire();
  const ready = () => afterPaint(() => {
    invoke('window_ready', { scriptMs, pageMs: performance.now() }).catch(() => {});
  });
  await action(() => loadProfiles(null, ready))();
}

start();
