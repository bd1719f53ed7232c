// The profile form: its defaults from Rust, the fields a profile is made of, what the page
// can check before Save (each problem under its field), the server's kind asked of the
// server, Save and Cancel (commands in profiles.rs).

import { $, invoke, state, selectedProfile } from './page.js';
import { say, messageOf } from './status.js';
import { confirmAction } from './dialogs.js';
import { loadProfiles } from './profile_list.js';
import { storeNeedsPassphrase, unlockSecretStore } from './unlock.js';

export const ENDPOINTS = ['authorize', 'token', 'revoke', 'whoami'];

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

/**
 * Opens the form: `profile` to edit, or null for a new one. `focus` is the field a next
 * step leads to ('secret', 'ca', 'base' or 'scope'); `createApp` leads with application set-up
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
  state.secretKeepable = Boolean(profile && state.secretStored?.name === profile.name && state.secretStored.stored);
  showSecretRule(state.secretKeepable);
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
  const target = { secret: 'profile-client-secret', ca: 'profile-ca-file', base: 'profile-base-url', scope: 'profile-scope' }[focus]
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

const FIELD_ERRORS = ['profile-name', 'profile-base-url', 'profile-client-id', 'profile-client-secret'];

function clearFieldError(id) {
  $(`${id}-error`).hidden = true;
  $(`${id}-error`).textContent = '';
  delete $(`${id}-error`).dataset.from;
  $(id).removeAttribute('aria-invalid');
}

function clearFieldErrors() {
  for (const id of FIELD_ERRORS) clearFieldError(id);
  $('save-anyway').hidden = true;
}

/** The secret was changed after the server refused it: the refusal was for the old one. */
export function secretTyped() {
  $('save-anyway').hidden = true;
  if ($('profile-client-secret-error').dataset.from === 'server') clearFieldError('profile-client-secret');
}

/**
 * The secret field's hint and requirement: an edit may leave it empty only while the
 * profile still names the server and application the stored secret was entered for.
 */
function showSecretRule(keep) {
  state.secretRequired = !keep;
  $('secret-state').textContent = keep
    ? 'A secret is stored in the OS keyring; leave this empty to keep it, or paste the new one.'
    : state.editing && state.secretKeepable
      ? 'You changed the server or the client ID: enter this application’s client secret. The stored one is never sent elsewhere.'
      : 'Shown once by the server when the application was created. It goes to the OS keyring only.';
}

/** Asks the core's rule again after a field that decides it changed (edits only). */
export async function followSecretRule() {
  if (!state.editing || !state.secretKeepable) return;
  const asked = formSnapshot();
  let keep;
  try {
    keep = await invoke('keeps_client_secret', { input: formInput() });
  } catch {
    return;
  }
  // A later change asks again; an answer for fields no longer shown is dropped.
  if (keep == null || asked !== formSnapshot()) return;
  showSecretRule(keep);
  if (keep && !$('profile-client-secret').value) clearFieldError('profile-client-secret');
}

/** The one problem of a field, or null: the rules Save checks, field by field. */
function problemOf(id) {
  const value = $(id).value.trim();
  switch (id) {
    case 'profile-name':
      if (!value) return 'Give the profile a name.';
      return /^[A-Za-z0-9._-]{1,64}$/.test(value) ? null : 'Use up to 64 letters, digits, dots, dashes or underscores.';
    case 'profile-base-url':
      if (!value) return 'Enter the server’s address, like https://aap.example.com.';
      return /^https?:\/\/[^\s/]+/i.test(value) ? null : 'Start the address with https:// (or http://) and the host name.';
    case 'profile-client-id':
      return value ? null : 'Enter the client ID from the server’s application.';
    case 'profile-client-secret': {
      if ($(id).value || $('profile-grant').value !== 'authorization_code') return null;
      // A confidential application has a secret; only a PKCE profile may go without.
      if (!state.editing) return $('profile-pkce').checked ? null : 'Enter the client secret the server showed for the application.';
      return state.secretRequired && state.secretKeepable
        ? 'Enter the client secret again: this profile now names another server or application.'
        : null;
    }
    default:
      return null;
  }
}

/**
 * A field is checked again as it is left: a fixed one loses its error at once; a wrong
 * one that holds something says so (an empty one waits for Save, so tabbing through a
 * new form is not a wall of red).
 */
export function recheckField(event) {
  const id = event.target?.id;
  // The server's refusal stays until the value changes (and Save anyway with it).
  if (!FIELD_ERRORS.includes(id) || $(`${id}-error`).dataset.from === 'server') return;
  const problem = problemOf(id);
  if (!problem) clearFieldError(id);
  else if ($(id).value.trim() || !$(`${id}-error`).hidden) fieldError(id, problem);
}

/** Shows a field's error; `from` is 'server' for an answer only a new value can clear. */
function fieldError(id, message, from = 'page') {
  $(`${id}-error`).textContent = message;
  $(`${id}-error`).hidden = false;
  $(`${id}-error`).dataset.from = from;
  $(id).setAttribute('aria-invalid', 'true');
}

/** Every problem the page can see, each under its field, at once; true when there is none. */
function checkFields() {
  clearFieldErrors();
  const problems = FIELD_ERRORS.map((id) => [id, problemOf(id)]).filter(([, problem]) => problem);
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

/** The form as the save command takes it (the secret left out: Save adds it). */
function formInput() {
  const endpoints = Object.fromEntries(ENDPOINTS.map((name) => [name, $(`endpoint-${name}`).value.trim()]));
  // Endpoints the user did not type are not sent: the preset derives them from the base URL,
  // so a fill still in flight can never pin the profile to an old server.
  const sendEndpoints = state.endpointsEdited || $('profile-preset').value === 'custom';
  return {
    ...profileDraft(),
    is_new: !state.editing,
    // Set with the CLI's --request-timeout; the form has no field for it, so it is kept.
    request_timeout_secs: state.editing?.request_timeout_secs ?? null,
    client_id: $('profile-client-id').value.trim(),
    endpoints: sendEndpoints ? endpoints : null,
    client_secret: null,
  };
}

/** Save anyway: the server refused the client, and the user keeps it as typed. */
export function saveAnyway(event) {
  return saveProfile(event, { skipClientCheck: true });
}

export async function saveProfile(event, { skipClientCheck = false } = {}) {
  event.preventDefault();
  $('profile-error').textContent = '';
  if (!checkFields()) return;
  const secretInput = $('profile-client-secret');
  const input = { ...formInput(), client_secret: secretInput.value || null, skip_client_check: skipClientCheck };
  // Without a Secret Service the encrypted file takes the secret: unlocked (or made) first.
  if (input.client_secret && (await storeNeedsPassphrase().catch(() => null)) && !(await unlockSecretStore())) {
    $('profile-error').textContent = 'Not saved: the client secret needs the encrypted secret file, which stays locked.';
    return;
  }
  let warning;
  try {
    warning = await invoke('save_profile', { input });
  } catch (error) {
    input.client_secret = null;
    if (error?.next === 'update_client_secret' && !skipClientCheck) {
      // Refused by the server's token endpoint before anything was saved: said under the
      // secret, which stays as typed (so it can be corrected, or saved anyway).
      fieldError('profile-client-secret', `Not saved: ${error.message}`, 'server');
      $('save-anyway').hidden = false;
      secretInput.focus();
      return;
    }
    // The secret must be typed again: it never stays in the page after a save.
    secretInput.value = '';
    $('profile-error').textContent = messageOf(error);
    return;
  }
  // The secret is in the keyring now: never keep it in the page.
  secretInput.value = '';
  input.client_secret = null;
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
  if (formDirty() && !(await confirmAction('Discard your changes?', 'Discard what you typed in this profile?', 'Discard'))) return;
  state.formSnapshot = null;
  clearClientSecret();
  $('profile-dialog').close();
}
