// AuthDesk's window, the entry point: wires the page to the modules and starts it. All OAuth work
// happens in Rust; the modules show state and call the commands. Tokens arrive only on Reveal.

import { $, invoke, afterPaint } from './page.js';
import { action } from './status.js';
import {
  ENDPOINTS, loadProfiles, formDefaults, filterProfiles, chooseProfile, showTab, deleteProfile,
  openProfileForm, editSelectedProfile, showGrantFields, presetChanged, endpointEdited,
  saveProfile, cancelProfileForm, clearClientSecret, detectServer, checkProfile, closeCheck,
} from './profiles.js';
import {
  getToken, cancelSignIn, reveal, copy, refresh, revoke, filterHistory, renewExpired, followTokenNews,
} from './tokens.js';
import {
  openAppSetup, loadOrganizations, createApplication, closeAppSetup, clearAppPassword,
  createPersonalToken, listPersonalTokens, revealPersonalToken,
} from './server_setup.js';
import { openSettings, saveSettings, closeSettings } from './settings.js';

function wire() {
  $('profile-filter').addEventListener('input', filterProfiles);
  $('history-filter').addEventListener('input', filterHistory);
  $('profile-select').addEventListener('change', action(chooseProfile));
  $('new-profile').addEventListener('click', action(() => openProfileForm(null)));
  $('empty-new-profile').addEventListener('click', action(() => openProfileForm(null)));
  $('edit-profile').addEventListener('click', action(editSelectedProfile));
  $('delete-profile').addEventListener('click', action(deleteProfile));
  $('open-settings').addEventListener('click', action(openSettings));
  $('check-profile').addEventListener('click', action(checkProfile));
  $('check-close').addEventListener('click', closeCheck);
  $('settings-save').addEventListener('click', action(saveSettings));
  $('settings-cancel').addEventListener('click', closeSettings);
  $('profile-form').addEventListener('submit', action(saveProfile));
  $('profile-cancel').addEventListener('click', cancelProfileForm);
  $('profile-dialog').addEventListener('close', clearClientSecret);
  $('profile-grant').addEventListener('change', showGrantFields);
  $('setup-app').addEventListener('click', action(openAppSetup));
  $('app-load-orgs').addEventListener('click', action(loadOrganizations));
  $('app-form').addEventListener('submit', action(createApplication));
  $('app-cancel').addEventListener('click', closeAppSetup);
  $('app-dialog').addEventListener('close', clearAppPassword);
  $('tab-tokens').addEventListener('click', () => showTab('tokens'));
  $('tab-pats').addEventListener('click', () => showTab('pats'));
  $('pat-create').addEventListener('click', action(createPersonalToken));
  $('pat-list-button').addEventListener('click', action(listPersonalTokens));
  $('reveal-pat').addEventListener('click', action(revealPersonalToken));
  $('copy-pat').addEventListener('click', action(() => copy('personal_token')));
  $('profile-preset').addEventListener('change', action(presetChanged));
  for (const name of ENDPOINTS) $(`endpoint-${name}`).addEventListener('input', endpointEdited);
  // Asked again when the trust changes: a private CA's server answers only then.
  for (const id of ['profile-base-url', 'profile-ca-file', 'profile-pin']) $(id).addEventListener('change', action(detectServer));
  $('copy-redirect-uri').addEventListener('click', action(() => copy('redirect_uri')));
  $('get-token').addEventListener('click', action(getToken));
  $('cancel').addEventListener('click', action(cancelSignIn));
  $('copy-authorize-url').addEventListener('click', action(() => copy('authorize_url')));
  $('reveal-access-token').addEventListener('click', action(() => reveal('access')));
  $('reveal-refresh-token').addEventListener('click', action(() => reveal('refresh')));
  $('copy-access-token').addEventListener('click', action(() => copy('access_token')));
  $('copy-refresh-token').addEventListener('click', action(() => copy('refresh_token')));
  $('copy-as-button').addEventListener('click', action(() => copy($('copy-as').value)));
  $('refresh').addEventListener('click', action(refresh));
  $('expired-action').addEventListener('click', action(renewExpired));
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
  const listed = action(() => loadProfiles(null, ready))();
  // Asked after list_profiles is sent, so it never delays the list; the forms wait for it.
  // A failure shows when a form is opened, which asks again.
  formDefaults().catch(() => {});
  followTokenNews();
  await listed;
}

start();
