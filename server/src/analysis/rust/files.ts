// Which files of a workspace are Rust loaders and crate descriptions, by name and a quick look at the text.
import { basename } from 'node:path';

/** A `.rs` file that uses a libbpf-rs skeleton or scx_utils' macros (a quick test before any parse). */
export const RUST_LOADER_USE = /\b\w*SkelBuilder\b|\bOpen\w+Skel\b|\bscx_ops_open!|\blibbpf_rs::skel\b/;

export function isCargoManifest(path: string): boolean {
  return basename(path) === 'Cargo.toml';
}

/** `build.rs` beside a Cargo.toml: it names the skeletons (read as text, never parsed). */
export function isBuildScript(path: string): boolean {
  return basename(path) === 'build.rs';
}
