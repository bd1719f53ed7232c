//! Any answer the server's REST API sends to a token list: items or one sentence,
//! never a panic.
#![no_main]

use authdesk_core::platform::interpret_api_answer;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let status = [200, 400, 401, 403, 500][usize::from(pick) % 5];
    let _ = interpret_api_answer(status, body).map_err(|e| e.to_string());
});
