// The chosen profile's two tabs, Tokens and Personal tokens: which one shows, and what
// leaving one forgets (its notice, the password typed for personal tokens).

import { $, state, selectedProfile } from './page.js';
import { clearNotice } from './status.js';
import { showPatWay } from './personal_tokens.js';

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
  if (tab === 'pats') showPatWay();
}
