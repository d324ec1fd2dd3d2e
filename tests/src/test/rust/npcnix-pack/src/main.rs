//! npcnix-pack SRC: writes to stdout the tar stream `npcnix pack --src SRC` would compress.
//!
//! What npcnix does (rustshop/npcnix, src/lib.rs, pack_archive_from), written anew: the top
//! level of SRC in read_dir order; a directory goes in whole under its own name, a file or a
//! relative symlink under its name, an absolute symlink at the top is skipped; the Builder keeps
//! its defaults (HeaderMode::Complete: the files' own mtime, uid, gid and mode; symlinks
//! followed). npcnix then compresses with the zstd crate at level 0 (zstd's default, 3);
//! NpcnixArchives pipes this through `zstd -3 --no-check` for that.
use std::fs;
use std::io::{self, Write};
use std::path::Path;

fn main() -> io::Result<()> {
    let src = std::env::args_os().nth(1).expect("usage: npcnix-pack SRC");
    let src = Path::new(&src);
    let stdout = io::stdout();
    let mut builder = tar::Builder::new(stdout.lock());
    for entry in fs::read_dir(src)? {
        let path = entry?.path();
        let name = path.file_name().expect("read_dir names every entry").to_owned();
        let metadata = path.symlink_metadata()?;
        if metadata.is_dir() {
            builder.append_dir_all(&name, &path)?;
        } else if metadata.is_symlink() {
            if !path.read_link()?.is_absolute() {
                builder.append_path_with_name(&path, &name)?;
            }
        } else if metadata.is_file() {
            builder.append_path_with_name(&path, &name)?;
        }
    }
    builder.into_inner()?.flush()
}
