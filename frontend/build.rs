//! The bundle keeps its relocations: `xtask split-bundle` needs them to cut it into the
//! parts the browser fetches one lazy route at a time.

fn main() {
    println!("cargo::rustc-cdylib-link-arg=--emit-relocs");
}
