#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hvsim::fuzzing::rvtools(data));
