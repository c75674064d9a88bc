//! Embeds a fingerprint of the engine in the binary — the numeric core's source, the data-set
//! reader, and `Cargo.lock` (the exact versions of rand_chacha, rand_distr, libm, …) — so the
//! result cache (which keys results by parameters, seed and engine) never serves results of an
//! older engine.

use std::path::Path;

fn main() {
    let mut files = vec![
        std::path::PathBuf::from("src/data.rs"),
        std::path::PathBuf::from("Cargo.lock"),
    ];
    collect(Path::new("src/numeric"), &mut files);
    files.sort();
    // 64-bit FNV-1a over the file names and contents, in sorted order.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let name = file.to_string_lossy().replace('\\', "/");
        let contents = std::fs::read(file).expect("the engine's files are readable");
        for &byte in name.as_bytes().iter().chain(&[0]).chain(&contents) {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    println!("cargo:rerun-if-changed=src/numeric");
    println!("cargo:rustc-env=INITBOOK_ENGINE_FINGERPRINT={hash:016x}");
}

fn collect(dir: &Path, into: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/numeric exists") {
        let path = entry.expect("readable directory").path();
        if path.is_dir() {
            collect(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}
