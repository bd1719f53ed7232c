// Check: the chosen profile's checks, as `authdesk doctor NAME` prints them (command
// check_profile in profiles.rs).

import { $, invoke, state } from './page.js';
import { say, messageOf } from './status.js';

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
