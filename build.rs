//! Rebuilds when a file is added to the folders compiled into the binary (`sql/`'s
//! views and the demo's `sample-data/`): `include_dir!` alone only notices edits.

fn main() {
    println!("cargo:rerun-if-changed=sql");
    println!("cargo:rerun-if-changed=sample-data");
}
