//! Files the code generates and the repository keeps (the book's reference pages, the command
//! option tables): a test regenerates each and fails when the committed one differs, so the two
//! cannot drift; with `UPDATE_REFERENCE` set, it writes the new text instead.

use std::path::Path;

/// Checks that `path` holds `generated`, or writes it there when `UPDATE_REFERENCE` is set.
/// `regenerate` is the command the failure names to regenerate it.
///
/// # Panics
/// When the file differs (or is missing) and `UPDATE_REFERENCE` is not set, or cannot be written.
#[track_caller]
pub fn check(path: &Path, generated: &str, regenerate: &str) {
    if std::env::var_os("UPDATE_REFERENCE").is_some() {
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder).unwrap_or_else(|err| panic!("{}: {err}", folder.display()));
        }
        std::fs::write(path, generated).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        return;
    }
    let current = std::fs::read_to_string(path).unwrap_or_default();
    assert!(current == generated, "{} is stale: regenerate it with `UPDATE_REFERENCE=1 {regenerate}`", path.display());
}

/// The book's reference page `name`, from a crate whose manifest folder is `manifest_dir` (a
/// folder beside `book/`).
pub fn book_reference(manifest_dir: &str, name: &str) -> std::path::PathBuf {
    Path::new(manifest_dir).join("../book/src/reference").join(name)
}
