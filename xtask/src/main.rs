//! Build steps that `scripts/build.sh` runs and no installed tool does.
//!
//! `xtask split-bundle INPUT MAIN_OUT PKG_DIR NAME HASH` splits the browser bundle INPUT
//! (linked with `--emit-relocs`) at its lazy routes and `#[lazy]` functions, as
//! `cargo leptos --split` would, without compiling cargo-leptos:
//! - MAIN_OUT: the main module, for wasm-bindgen (with `--keep-lld-exports`);
//! - PKG_DIR: each split-off module as `<stem>.HASH.wasm`, the loader that fetches them as
//!   `__wasm_split.HASH.js`, and `__wasm_split_manifest.HASH.json`, from which the server
//!   names the modules a page needs so that the browser fetches them early.
//!
//! Every file carries the bundle's hash, so browsers may keep each for good. The loader
//! imports the main module as `NAME.HASH.js`, the name the build gives wasm-bindgen's
//! output.

use std::collections::HashMap;
use std::path::Path;
use std::process::ExitCode;

use wasm_split_cli_support::{Options, transform};

const USAGE: &str = "usage: xtask split-bundle INPUT MAIN_OUT PKG_DIR NAME HASH";

fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let result = match arguments.as_slice() {
        [command, input, main_out, pkg_dir, name, hash] if command == "split-bundle" => {
            split_bundle(
                Path::new(input),
                Path::new(main_out),
                Path::new(pkg_dir),
                name,
                hash,
            )
        }
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn split_bundle(
    input: &Path,
    main_out: &Path,
    pkg_dir: &Path,
    name: &str,
    hash: &str,
) -> Result<(), String> {
    let input_wasm =
        std::fs::read(input).map_err(|error| format!("reading {}: {error}", input.display()))?;
    let main_module = format!("./{name}.{hash}.js");
    let loader_name = format!("__wasm_split.{hash}.js");
    let link_name = format!("./{loader_name}");
    let mut options = Options::new(&input_wasm);
    options.output_dir = pkg_dir;
    options.main_out_path = main_out;
    options.main_module = &main_module;
    options.link_name = &link_name;
    let split = transform(options).map_err(|error| format!("splitting: {error:#}"))?;

    let loader_path = pkg_dir.join(&loader_name);
    let mut loader = read_text(&loader_path)?;
    for module in &split.split_modules {
        let stem = file_stem(module)?;
        let hashed = module.with_file_name(format!("{stem}.{hash}.wasm"));
        std::fs::rename(module, &hashed)
            .map_err(|error| format!("renaming {}: {error}", module.display()))?;
        loader = loader.replace(
            &format!("\"./{stem}.wasm\""),
            &format!("\"./{stem}.{hash}.wasm\""),
        );
    }
    write_text(&loader_path, &loader)?;

    let manifest: HashMap<String, Vec<String>> = split
        .prefetch_map
        .into_iter()
        .map(|(split_name, stems)| {
            let hashed = stems
                .into_iter()
                .map(|stem| format!("{stem}.{hash}"))
                .collect();
            (split_name, hashed)
        })
        .collect();
    let manifest = serde_json::to_string_pretty(&manifest)
        .map_err(|error| format!("writing the manifest: {error}"))?;
    write_text(
        &pkg_dir.join(format!("__wasm_split_manifest.{hash}.json")),
        &manifest,
    )
}

fn file_stem(module: &Path) -> Result<String, String> {
    module
        .file_stem()
        .and_then(|stem| stem.to_str())
        .map(str::to_owned)
        .ok_or_else(|| format!("a split module without a name: {}", module.display()))
}

fn read_text(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|error| format!("reading {}: {error}", path.display()))
}

fn write_text(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|error| format!("writing {}: {error}", path.display()))
}
