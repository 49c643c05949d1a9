#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    strata_headers_fuzz::check::<strata_headers::IfRange>(data);
});
