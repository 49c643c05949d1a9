//! The check every fuzz target runs: decoding arbitrary header lines never panics, and a value
//! that decodes re-encodes to lines that decode to the same value.

use headers::{Header, HeaderValue};

/// Splits `data` into header lines at `\n` and checks `H` against them.
pub fn check<H: Header + PartialEq + std::fmt::Debug>(data: &[u8]) {
    let lines: Vec<HeaderValue> =
        data.split(|&b| b == b'\n').filter_map(|line| HeaderValue::from_bytes(line).ok()).collect();
    if lines.is_empty() {
        return;
    }
    if let Ok(value) = H::decode(&mut lines.iter()) {
        let mut again = Vec::new();
        value.encode(&mut again);
        if !again.is_empty() {
            let back = H::decode(&mut again.iter()).expect("a re-encoded value decodes");
            assert_eq!(back, value, "decode → encode → decode changed the value");
        }
    }
}
