// Profiles: the list, picker and filter, the chosen profile's panel, and the profile form (commands in profiles.rs).

import {
  $, invoke, state, selectedProfile, filterWords, matches, showCount, measureUntilPainted, hostOf,
} from './page.js';
import { say, messageOf, clearNotice } from './status.js';
import { confirmAction } from './dialogs.js';
import { showTokens, showHistory } from './tokens.js';
import { clearPersonalTokens } from './server_setup.js';

const PRESET_NAMES = { awx: 'AWX', gateway: 'AAP gateway', custom: 'Custom' };

export const ENDPOINTS = ['authorize', 'token', 'revoke', 'whoami'];

// ---- form defaults ---------------------------------------------------------

let defaults = null;

/**
 * The form's defaults as Rust defines them (form_defaults), asked once: the page keeps no
 * copy of its own. A failed call is asked again next time.
 */
export function formDefaults() {
  defaults ??= invoke('form_defaults').catch((error) => {
    defaults = null;
    throw error;
  });
  return defaults;
}

// ---- the list --------------------------------------------------------------

/**
 * Lists the profiles and shows the chosen one. `onListed` runs as soon as the list and the
 * profile's panel are drawn, before its details arrive from the keyring.
 */
export async function loadProfiles(select, onListed) {
  const start = performance.now();
  performance.mark('list-sent');
  state.profiles = await invoke('list_profiles');
  performance.mark('listed');
  for (const profile of state.profiles) {
    profile.host = hostOf(profile.base_url);
    profile.search = `${profile.name} ${profile.base_url}`.toLowerCase();
  }
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
}

/** From this many profiles on, the picker gets a filter. */
const FILTER_FROM = 5;

/** The picker holds the profiles matching the filter (name or server), and always the chosen one. */
function fillProfilePicker() {
  const filter = filterWords('profile-filter');
  const shown = state.profiles.filter((p) => p.name === state.selected || matches(p.search, filter));
  const picker = $('profile-select');
  const options = shown.map((p) => new Option(`${p.name} — ${p.host}`, p.name, false, p.name === state.selected));
  if (!state.selected && state.profiles.length > 1) {
    const hint = shown.length === 0 ? 'No profile matches the filter' : 'Choose a profile…';
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

export async function chooseProfile(event) {
  state.selected = event.target.value || null;
  await showProfile();
}

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
  $('setup').open = (!tokens && state.revoked?.name !== name) || !secretStored;
  await showHistory();
}

export function showTab(tab, clear = true) {
  const profile = selectedProfile();
  // The login typed for personal tokens stays only while its tab is open.
  if (tab !== 'pats') $('pat-password').value = '';
  if (tab === 'pats' && !profile?.has_server_api) tab = 'tokens';
  if (clear && tab !== state.tab) clearNotice();
  if (tab) state.tab = tab;
  $('profile-panel').hidden = tab !== 'tokens';
  $('pat-panel').hidden = tab !== 'pats';
  $('tab-tokens').setAttribute('aria-selected', String(tab === 'tokens'));
  $('tab-pats').setAttribute('aria-selected', String(tab === 'pats'));
}

export async function deleteProfile() {
  const name = state.selected;
  if (!name) return;
  const ok = await confirmAction(`Delete the profile “${name}” and its secret and tokens from the keyring?`, 'Delete');
  if (!ok) return;
  await invoke('delete_profile', { name });
  state.selected = null;
  await loadProfiles();
  say(`Deleted profile “${name}”.`);
}

// ---- the profile form ----------------------------------------------------

/**
 * Opens the form: `profile` to edit, or null for a new one. `focus` is the field a next
 * step leads to ('secret', 'ca' or 'base'); `createApp` leads with application set-up
 * (first run's "Create the application for me…"), the client fields then come from it.
 */
export async function openProfileForm(profile, { focus = null, createApp = false } = {}) {
  const fallback = await formDefaults();
  state.editing = profile;
  const form = $('profile-form');
  form.reset();
  clearFieldErrors();
  $('profile-error').textContent = '';
  $('profile-heading').textContent = profile ? `Edit profile “${profile.name}”` : 'New profile';
  $('profile-name').value = profile?.name ?? '';
  $('profile-name').readOnly = Boolean(profile);
  $('profile-preset').value = profile?.preset ?? fallback.preset;
  $('profile-grant').value = profile?.grant ?? fallback.grant;
  $('setup-row').hidden = Boolean(profile);
  $('setup-row').classList.toggle('emphasis', createApp);
  for (const node of document.querySelectorAll('.client-field')) node.hidden = createApp;
  $('save-profile').hidden = createApp;
  $('profile-base-url').value = profile?.base_url ?? '';
  $('profile-client-id').value = profile?.client_id ?? '';
  $('profile-client-secret').value = '';
  $('secret-state').textContent = profile && state.secretStored?.name === profile.name && state.secretStored.stored
    ? 'A secret is stored in the OS keyring; leave this empty to keep it, or paste the new one.'
    : 'Shown once by the server when the application was created. It goes to the OS keyring only.';
  // A password-grant profile has none; switching it to the code grant offers the default.
  $('profile-redirect-uri').value = profile?.redirect_uri ?? fallback.redirect_uri;
  $('profile-scope').value = profile?.scope ?? fallback.scope;
  $('profile-auth').value = profile?.client_auth ?? fallback.client_auth;
  $('profile-ca-file').value = profile?.ca_file ?? '';
  $('profile-pin').value = profile?.pin_sha256 ?? '';
  $('profile-pkce').checked = Boolean(profile?.pkce);
  for (const name of ENDPOINTS) $(`endpoint-${name}`).value = profile?.resolved_endpoints?.[name] ?? '';
  state.endpointsEdited = profile?.preset === 'custom';
  // A kind the user picks (or a saved profile's) is theirs; until then the server's answer decides.
  state.presetChosen = Boolean(profile);
  const detected = $('detected');
  detected.className = 'hint';
  detected.textContent = profile ? '' : 'AuthDesk asks the server what it is once you enter its base URL.';
  // Fields most people never touch stay folded unless this profile uses one.
  $('profile-advanced').open = focus === 'ca' || Boolean(profile?.ca_file || profile?.pin_sha256 || profile?.pkce
    || profile?.preset === 'custom' || (profile && profile.client_auth !== fallback.client_auth)
    || (profile && profile.grant !== fallback.grant)
    || (profile?.redirect_uri && profile.redirect_uri !== fallback.redirect_uri));
  showGrantFields();
  $('profile-dialog').showModal();
  const target = { secret: 'profile-client-secret', ca: 'profile-ca-file', base: 'profile-base-url' }[focus]
    ?? (profile ? 'profile-base-url' : 'profile-name');
  $(target).focus();
  state.formSnapshot = formSnapshot();
}

/** Everything typed in the form, to tell whether closing it would lose something. */
function formSnapshot() {
  return [...$('profile-form').querySelectorAll('input, select')]
    .map((field) => (field.type === 'checkbox' ? field.checked : field.value)).join('\u0000');
}

function formDirty() {
  return state.formSnapshot != null && formSnapshot() !== state.formSnapshot;
}

export function editSelectedProfile(focus = null) {
  return openProfileForm(selectedProfile(), { focus });
}

// ---- field errors ------------------------------------------------------------

const FIELD_ERRORS = ['profile-name', 'profile-base-url', 'profile-client-id', 'profile-client-secret'];

function clearFieldErrors() {
  for (const id of FIELD_ERRORS) {
    $(`${id}-error`).hidden = true;
    $(`${id}-error`).textContent = '';
    $(id).removeAttribute('aria-invalid');
  }
}

function fieldError(id, message) {
  $(`${id}-error`).textContent = message;
  $(`${id}-error`).hidden = false;
  $(id).setAttribute('aria-invalid', 'true');
}

/** Every problem the page can see, each under its field, at once; true when there is none. */
function checkFields() {
  clearFieldErrors();
  const problems = [];
  const name = $('profile-name').value.trim();
  if (!name) problems.push(['profile-name', 'Give the profile a name.']);
  else if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) problems.push(['profile-name', 'Use up to 64 letters, digits, dots, dashes or underscores.']);
  const base = $('profile-base-url').value.trim();
  if (!base) problems.push(['profile-base-url', 'Enter the server’s address, like https://aap.example.com.']);
  else if (!/^https?:\/\/[^\s/]+/i.test(base)) problems.push(['profile-base-url', 'Start the address with https:// (or http://) and the host name.']);
  if (!$('profile-client-id').value.trim()) problems.push(['profile-client-id', 'Enter the client ID from the server’s application.']);
  // A confidential application has a secret; only a PKCE profile may go without.
  if (!state.editing && !$('profile-client-secret').value && !$('profile-pkce').checked
    && $('profile-grant').value === 'authorization_code') {
    problems.push(['profile-client-secret', 'Enter the client secret the server showed for the application.']);
  }
  for (const [id, message] of problems) fieldError(id, message);
  if (problems.length) $(problems[0][0]).focus();
  return problems.length === 0;
}

export function showGrantFields() {
  const code = $('profile-grant').value === 'authorization_code';
  for (const node of document.querySelectorAll('.code-grant')) node.hidden = !code;
}

export async function presetChanged() {
  state.presetChosen = true;
  state.endpointsEdited = $('profile-preset').value === 'custom';
  if (state.endpointsEdited) $('profile-advanced').open = true;
  await fillPresetEndpoints();
}

/**
 * Asks the server at the typed base URL what it is: the kind is chosen from the answer
 * unless the user chose one, and the answer is shown either way.
 */
export async function detectServer() {
  const base = $('profile-base-url').value.trim();
  const detected = $('detected');
  if (!base) return;
  detected.className = 'hint';
  detected.textContent = `Asking ${base} what it is…`;
  let found;
  try {
    found = await invoke('detect_server', {
      baseUrl: base,
      caFile: $('profile-ca-file').value.trim() || null,
      pinSha256: $('profile-pin').value.trim() || null,
    });
  } catch (error) {
    if ($('profile-base-url').value.trim() !== base) return;
    detected.className = 'hint warn';
    detected.textContent = messageOf(error);
    await fillPresetEndpoints();
    return;
  }
  if ($('profile-base-url').value.trim() !== base) return;
  const preset = $('profile-preset');
  if (!state.presetChosen) preset.value = found.preset;
  if (preset.value === found.preset) {
    detected.textContent = `Found ${found.summary}.`;
  } else {
    detected.className = 'hint warn';
    detected.textContent = `Found ${found.summary}, but the profile names another kind of server.`;
  }
  await fillPresetEndpoints();
}

export function endpointEdited() {
  state.endpointsEdited = true;
}

export async function fillPresetEndpoints() {
  const preset = $('profile-preset').value;
  const base = $('profile-base-url').value.trim();
  if (preset === 'custom' || !base) return;
  try {
    const endpoints = await invoke('preset_endpoints', { preset, baseUrl: base });
    if (endpoints) for (const name of ENDPOINTS) $(`endpoint-${name}`).value = endpoints[name];
    $('profile-error').textContent = '';
  } catch (error) {
    $('profile-error').textContent = messageOf(error);
  }
}

/** The profile form's fields as the core's ProfileDraft (without client ID and endpoints). */
export function profileDraft() {
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

export async function saveProfile(event) {
  event.preventDefault();
  $('profile-error').textContent = '';
  if (!checkFields()) return;
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
  let warning;
  try {
    warning = await invoke('save_profile', { input });
  } catch (error) {
    $('profile-error').textContent = messageOf(error);
    return;
  } finally {
    // The secret is in the keyring now (or must be typed again): never keep it in the page.
    secretInput.value = '';
    input.client_secret = null;
  }
  state.formSnapshot = null;
  $('profile-dialog').close();
  await loadProfiles(input.name);
  // Saved either way: a profile may be made before its server is reachable.
  if (warning) say(`Saved profile “${input.name}”, but: ${warning}`, 'warn');
  else say(`Saved profile “${input.name}”.`);
}

/** The client secret never stays in the form, however the dialog closes. */
export function clearClientSecret() {
  $('profile-client-secret').value = '';
}

/** Cancel or Escape: a form with changes asks before they are thrown away. */
export async function cancelProfileForm(event) {
  event?.preventDefault();
  if (formDirty() && !(await confirmAction('Discard what you typed in this profile?', 'Discard'))) return;
  state.formSnapshot = null;
  clearClientSecret();
  $('profile-dialog').close();
}

// ---- checks --------------------------------------------------------------

/** The chosen profile's checks, as `authdesk doctor NAME` prints them. */
export async function checkProfile() {
  const name = state.selected;
  if (!name) return;
  const report = $('check-report');
  report.textContent = `Checking “${name}”…`;
  $('check-dialog').showModal();
  let lines;
  try {
    lines = await invoke('check_profile', { name });
  } catch (error) {
    report.textContent = messageOf(error);
    throw error;
  }
  if (state.selected !== name) return;
  report.textContent = lines.join('\n');
  const failed = lines.filter((line) => line.startsWith('[FAIL]')).length;
  say(failed ? `${failed} check(s) of “${name}” failed; see Check.` : `Every check of “${name}” passed.`, failed ? 'warn' : 'ok');
}

export function closeCheck() {
  $('check-dialog').close();
}
