# Sourced by setup.sh and build.sh: the wasm-bindgen CLI, which must match the
# wasm-bindgen crate in Cargo.lock exactly.

wasm_bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3 }' Cargo.lock)

wasm_bindgen_cli_installed() {
  wasm-bindgen --version 2> /dev/null | grep -qF "$wasm_bindgen_version"
}

install_wasm_bindgen_cli() {
  # Not --locked: the registry lacks one crate of its lock file.
  cargo install wasm-bindgen-cli --version "$wasm_bindgen_version" --force
}
