//! Any bytes a local process sends the redirect listener: the verdict never panics, and
//! nothing without this attempt's state is ever taken as a code.
#![no_main]

use authdesk_core::fuzzing::{classify_request, Verdict};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|head: &[u8]| {
    let verdict = classify_request(head, "/callback", "the-expected-state");
    if matches!(verdict, Verdict::Code(_) | Verdict::Refused { .. }) {
        let text = String::from_utf8_lossy(head);
        assert!(text.contains("the-expected-state"), "accepted without the state");
    }
});
