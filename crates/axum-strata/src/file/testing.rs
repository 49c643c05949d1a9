// What the tests of the file modules share.

use std::path::PathBuf;

/// A fresh directory for the test called `name`.
pub(super) fn dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("strata-file-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
