//! The whitelist files: one entry a line, `#` comments and blank lines skipped, surrounding
//! whitespace and quotes ignored (MozDef stripped `'` and `"`).

use std::path::Path;

use crate::ServiceError;

/// The entries of the list file at `path`, each with its 1-based line number. `setting` names
/// the setting the path came from, for the error if the file cannot be read.
pub(super) fn read_entries(setting: &str, path: &Path) -> Result<Vec<(usize, String)>, ServiceError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ServiceError::config(setting, format!("cannot read {}: {e}", path.display())))?;
    Ok(entries(&text))
}

/// The entries of a list file's text, each with its 1-based line number.
pub(super) fn entries(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .filter_map(|(index, line)| {
            let entry = line.trim();
            if entry.is_empty() || entry.starts_with('#') {
                return None;
            }
            let entry = entry.trim_matches('\'').trim_matches('"').trim();
            (!entry.is_empty()).then(|| (index + 1, entry.to_owned()))
        })
        .collect()
}

/// The setting named in an error about line `line` of the file at `path`.
pub(super) fn line_setting(setting: &str, path: &Path, line: usize) -> String {
    format!("{setting} {} line {line}", path.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_blanks_and_quotes() {
        let text =
            "# networks\n\n  1.2.3.0/24  \n'5.6.7.8'\n\"9.9.9.9/32\"\n   # indented comment\n''\n2606:4700::/32\n";
        assert_eq!(
            entries(text),
            vec![
                (3, "1.2.3.0/24".to_owned()),
                (4, "5.6.7.8".to_owned()),
                (5, "9.9.9.9/32".to_owned()),
                (8, "2606:4700::/32".to_owned()),
            ]
        );
    }

    #[test]
    fn windows_line_endings() {
        assert_eq!(
            entries("a.example.com\r\nb.example.com\r\n"),
            vec![(1, "a.example.com".to_owned()), (2, "b.example.com".to_owned())]
        );
    }

    #[test]
    fn missing_file_names_the_setting_and_path() {
        let e = read_entries("network_whitelist_file", Path::new("/nonexistent/whitelist.txt")).unwrap_err();
        let text = e.to_string();
        assert!(text.starts_with("network_whitelist_file: cannot read /nonexistent/whitelist.txt"), "{text}");
    }
}
