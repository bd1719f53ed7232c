//! Any answer a token endpoint sends (first byte picks success or an error status): it
//! is read into tokens or one sentence, never a panic, and accepted tokens are clean.
#![no_main]

use authdesk_core::fuzzing::interpret_token_answer;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let status = [200, 201, 400, 401, 403, 302, 500][usize::from(pick) % 7];
    match interpret_token_answer(status, body) {
        Ok(tokens) => {
            let access = tokens.access_token.expose();
            assert!(!access.is_empty() && access.bytes().all(|b| b.is_ascii_graphic()));
        }
        Err(error) => {
            let sentence = error.to_string();
            assert!(!sentence.chars().any(|c| c.is_control() && c != '\n'));
        }
    }
});
