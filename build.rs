//! Rebuilds the crate when the embedded rule files or fixture sites change
//! (`include_dir!` alone does not tell cargo about them).
fn main() {
    println!("cargo:rerun-if-changed=rules");
    println!("cargo:rerun-if-changed=fixtures/sites");
}
