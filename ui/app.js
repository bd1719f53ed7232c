// AuthDesk's window, the entry point: wires the page to the modules and starts it. All OAuth work
// happens in Rust; the modules show state and call the commands. Tokens arrive only on Reveal.

import { $, invoke, afterPaint, state, selectedProfile } from './page.js';
import { action, registerNextSteps, takeNextStep, copyDetails, clearNotice } from './status.js';
import { showTab } from './tabs.js';
import {
  loadProfiles, filterProfiles, pickFilteredProfile, chooseProfile, deleteProfile,
} from './profile_list.js';
import {
  ENDPOINTS, formDefaults, openProfileForm, editSelectedProfile, showGrantFields, presetChanged,
  endpointEdited, saveProfile, saveAnyway, cancelProfileForm, clearClientSecret, detectServer,
  recheckField, followSecretRule, secretTyped,
} from './profile_form.js';
import { checkProfile, closeCheck } from './profile_check.js';
import {
  reveal, copy, copyAs, toggleCopyMenu, copyMenuKeys, refresh, revoke, followTokenNews,
} from './token_card.js';
import {
  getToken, cancelSignIn, reopenBrowser, toggleSignInMenu, signInMenuKeys, switchUser, openSignInOptions,
  closeSignInOptions, startWithOptions, turnOnPkceAndSignIn, copyTimeline,
} from './sign_in.js';
import { filterHistory } from './history.js';
import {
  openAppSetup, loadOrganizations, createApplication, closeAppSetup, closedAppSetup,
} from './app_setup.js';
import { createPersonalToken, listPersonalTokens, revealPersonalToken, showPatWay } from './personal_tokens.js';
import { openSettings, applySettings, closeSettings } from './settings.js';
import { storeNeedsPassphrase, unlockSecretStore } from './unlock.js';
import { followStoreChanges } from './live_state.js';

/** An action whose failure names the chosen profile. */
const onProfile = (handler) => action(handler, () => state.selected);

function wire() {
  $('profile-filter').addEventListener('input', filterProfiles);
  $('profile-filter').addEventListener('keydown', action(pickFilteredProfile));
  $('history-filter').addEventListener('input', filterHistory);
  $('history-all').addEventListener('change', filterHistory);
  $('profile-select').addEventListener('change', action(chooseProfile));
  $('new-profile').addEventListener('click', action(() => openProfileForm(null)));
  $('empty-new-profile').addEventListener('click', action(() => openProfileForm(null)));
  $('empty-setup-app').addEventListener('click', action(() => openProfileForm(null, { createApp: true })));
  $('edit-profile').addEventListener('click', action(() => editSelectedProfile()));
  $('add-secret').addEventListener('click', action(() => editSelectedProfile('secret')));
  $('delete-profile').addEventListener('click', onProfile(deleteProfile));
  $('open-settings').addEventListener('click', action(openSettings));
  $('check-profile').addEventListener('click', onProfile(checkProfile));
  $('check-close').addEventListener('click', closeCheck);
  $('clipboard-clear').addEventListener('change', applySettings);
  $('auto-refresh').addEventListener('change', applySettings);
  $('settings-close').addEventListener('click', closeSettings);
  $('profile-form').addEventListener('submit', action(saveProfile));
  $('save-anyway').addEventListener('click', action(saveAnyway));
  // Each field is checked again as it is left; the secret's rule follows the fields
  // that decide it (server, application, trust).
  $('profile-form').addEventListener('focusout', recheckField);
  for (const id of ['profile-base-url', 'profile-client-id', 'profile-ca-file', 'profile-pin', ...ENDPOINTS.map((name) => `endpoint-${name}`)]) {
    $(id).addEventListener('input', followSecretRule);
  }
  $('profile-preset').addEventListener('change', followSecretRule);
  $('profile-client-secret').addEventListener('input', secretTyped);
  $('profile-cancel').addEventListener('click', action(cancelProfileForm));
  $('profile-dialog').addEventListener('cancel', action(cancelProfileForm));
  $('profile-dialog').addEventListener('close', clearClientSecret);
  $('profile-grant').addEventListener('change', showGrantFields);
  $('setup-app').addEventListener('click', action(openAppSetup));
  $('app-load-orgs').addEventListener('click', action(loadOrganizations));
  $('app-form').addEventListener('submit', action(createApplication));
  $('app-cancel').addEventListener('click', closeAppSetup);
  // However it closes (Cancel, Escape, created): no password stays, and a form opened
  // for set-up gets its client fields and Save back.
  $('app-dialog').addEventListener('close', closedAppSetup);
  $('tab-tokens').addEventListener('click', () => showTab('tokens'));
  $('tab-pats').addEventListener('click', () => showTab('pats'));
  $('pat-create').addEventListener('click', onProfile(createPersonalToken));
  $('pat-username').addEventListener('input', showPatWay);
  $('pat-change-scope').addEventListener('click', action(() => editSelectedProfile('scope')));
  $('pat-list-button').addEventListener('click', onProfile(listPersonalTokens));
  $('reveal-pat').addEventListener('click', onProfile(revealPersonalToken));
  $('copy-pat').addEventListener('click', onProfile(() => copy('personal_token', 'copy-pat')));
  $('profile-preset').addEventListener('change', action(presetChanged));
  for (const name of ENDPOINTS) $(`endpoint-${name}`).addEventListener('input', endpointEdited);
  // Asked again when the trust changes: a private CA's server answers only then.
  for (const id of ['profile-base-url', 'profile-ca-file', 'profile-pin']) $(id).addEventListener('change', action(detectServer));
  $('copy-redirect-uri').addEventListener('click', onProfile(() => copy('redirect_uri', 'copy-redirect-uri')));
  $('get-token').addEventListener('click', onProfile(getToken));
  $('sign-in-more').addEventListener('click', () => toggleSignInMenu());
  $('sign-in-menu').addEventListener('keydown', signInMenuKeys);
  $('switch-user').addEventListener('click', onProfile(switchUser));
  $('sign-in-options').addEventListener('click', onProfile(openSignInOptions));
  $('options-form').addEventListener('submit', onProfile(startWithOptions));
  $('options-cancel').addEventListener('click', closeSignInOptions);
  $('copy-timeline').addEventListener('click', action(copyTimeline));
  $('cancel').addEventListener('click', action(cancelSignIn));
  $('reopen-browser').addEventListener('click', onProfile(reopenBrowser));
  $('copy-authorize-url').addEventListener('click', onProfile(() => copy('authorize_url', 'copy-authorize-url')));
  $('reveal-access-token').addEventListener('click', onProfile(() => reveal('access')));
  $('reveal-refresh-token').addEventListener('click', onProfile(() => reveal('refresh')));
  $('copy-access-token').addEventListener('click', onProfile(() => copy('access_token', 'copy-access-token')));
  $('copy-refresh-token').addEventListener('click', onProfile(() => copy('refresh_token', 'copy-refresh-token')));
  $('copy-as').addEventListener('click', () => toggleCopyMenu());
  $('copy-as-menu').addEventListener('click', onProfile(copyAs));
  $('copy-as-menu').addEventListener('keydown', copyMenuKeys);
  document.addEventListener('click', (event) => {
    if (!event.target.closest('.menu-wrap')) {
      toggleCopyMenu(false);
      toggleSignInMenu(false);
    }
  });
  $('refresh').addEventListener('click', onProfile(refresh));
  // The expired notice's Refresh (shown only when there is a refresh token).
  $('expired-action').addEventListener('click', onProfile(refresh));
  $('revoke').addEventListener('click', onProfile(revoke));
  $('next-step').addEventListener('click', takeNextStep);
  $('notice-close').addEventListener('click', clearNotice);
  $('copy-details').addEventListener('click', action(copyDetails));
  document.addEventListener('keydown', shortcuts);
  registerNextSteps({
    update_client_secret: ['Update client secret…', action(() => editSelectedProfile('secret'))],
    trust_ca_file: ['Trust a CA file…', action(() => editSelectedProfile('ca'))],
    edit_profile: ['Edit profile…', action(() => editSelectedProfile('base'))],
    sign_in: ['Get new token', onProfile(getToken)],
    turn_on_pkce: ['Turn on PKCE and sign in again', onProfile(turnOnPkceAndSignIn)],
    try_again: ['Try again', null],
    unlock_secret_store: ['Unlock…', async () => ((await unlockSecretStore().catch(() => false)) ? 'retry' : null)],
  });
}

/**
 * Keyboard shortcuts for the main actions, when no dialog is open: Ctrl+Enter gets a
 * token, Ctrl+Shift+C copies the access token, Ctrl+R refreshes (instead of reloading).
 */
function shortcuts(event) {
  if (!event.ctrlKey || event.altKey || event.metaKey) return;
  const key = event.key.toLowerCase();
  const run = { enter: ['get-token', !event.shiftKey], c: ['copy-access-token', event.shiftKey], r: ['refresh', !event.shiftKey] }[key];
  if (!run || !run[1]) return;
  event.preventDefault();
  if (document.querySelector('dialog[open]') || !selectedProfile() || state.tab !== 'tokens') return;
  const button = $(run[0]);
  if (!button.disabled && button.offsetParent !== null) button.click();
}

/**
 * Where the page's start went, in ms from navigation: the HTML, the modules' start, the
 * profile list asked for and received, drawn, laid out and painted. WebKit records no
 * resource timing for the app's own scheme, so the files cannot be listed one by one.
 */
function timeline() {
  const marks = performance.getEntriesByType('mark').map((m) => `${m.name} ${Math.round(m.startTime)}`);
  const nav = performance.getEntriesByType('navigation')[0];
  if (nav) marks.unshift(`html ${Math.round(nav.responseEnd)}`, `dom-interactive ${Math.round(nav.domInteractive)}`);
  return marks.join(', ') || null;
}

/**
 * Shows the profiles, and tells Rust once that frame is painted: the window is ready for
 * input. The chosen profile's tokens fill in when the keyring answers, a little later.
 */
async function start() {
  const scriptMs = performance.now();
  wire();
  const ready = () => {
    // Laid out here rather than inside the frame, so the timeline tells style and layout
    // (fonts, mostly) from painting.
    void document.body.offsetHeight;
    performance.mark('laid-out');
    afterPaint(() => {
      performance.mark('painted');
      invoke('window_ready', { scriptMs, pageMs: performance.now(), timeline: timeline() }).catch(() => {});
      performance.clearMarks();
    });
  };
  const listed = action(() => loadProfiles(null, ready))();
  // Asked after list_profiles is sent, so it never delays the list; the forms wait for it.
  // A failure shows when a form is opened, which asks again.
  formDefaults().catch(() => {});
  followTokenNews();
  followStoreChanges();
  await listed;
  // Without a Secret Service: asked once, as the window opens, if the file exists and is
  // locked (a new one is made at the first save, which asks then).
  if ((await storeNeedsPassphrase().catch(() => null)) === 'locked' && (await unlockSecretStore().catch(() => false))) {
    clearNotice();
    await action(() => loadProfiles(state.selected))();
  }
}

start();
