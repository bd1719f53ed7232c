//! Any answer the server's REST API sends to a token list: items or one sentence, never
//! a panic, and nothing that reaches a terminal carries control characters.
#![no_main]

use authdesk_core::fuzzing::interpret_api_answer;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let status = [200, 400, 401, 403, 500][usize::from(pick) % 5];
    match interpret_api_answer(status, body) {
        Ok(items) => {
            for item in items {
                let shown = format!("{} {} {:?}", item.description, item.scope, item.expires);
                assert!(!item.description.chars().any(char::is_control), "{shown}");
                assert!(!item.scope.chars().any(char::is_control), "{shown}");
            }
        }
        Err(error) => {
            let sentence = error.to_string();
            assert!(!sentence.chars().any(|c| c.is_control() && c != '\n'));
        }
    }
});
