//! Which names `/blockfqdn` accepts: MozDef's FQDN rule, and its whitelist.
//!
//! MozDef validated with the regex of yolothreat/utilitybelt:
//! `(?=^.{4,255}$)(^((?!-)[a-zA-Z0-9-]{1,63}(?<!-)\.)+[a-zA-Z]{2,63}$)`, i.e. 4 to 255
//! characters; two or more dot-separated labels; every label but the last 1 to 63 letters,
//! digits or hyphens, neither starting nor ending with a hyphen; the last (the top-level
//! domain) 2 to 63 letters. It was compiled with `re.M`, so `a.com\nanything` passed; here the
//! whole name must match. One change: a punycode top-level domain (`xn--p1ai`) is accepted,
//! so that internationalised names can be blocked.

use std::collections::BTreeSet;
use std::path::Path;

use super::list_file;
use crate::ServiceError;

/// The field MozDef's form carries the name in.
const FIELD: &str = "fqdn";
/// The setting that names the whitelist file.
const FILE_SETTING: &str = "fqdn_whitelist_file";

/// Whether `name` is a fully qualified domain name by MozDef's rule (see the module doc).
pub fn is_fqdn(name: &str) -> bool {
    if !(4..=255).contains(&name.len()) {
        return false;
    }
    let Some((labels, tld)) = name.rsplit_once('.') else {
        return false;
    };
    labels.split('.').all(is_label) && is_top_level(tld)
}

/// A label before the top-level domain: 1 to 63 letters, digits or hyphens, not starting or
/// ending with a hyphen.
fn is_label(label: &str) -> bool {
    (1..=63).contains(&label.len())
        && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !label.starts_with('-')
        && !label.ends_with('-')
}

/// The top-level domain: 2 to 63 letters, or a punycode label (`xn--...`).
fn is_top_level(tld: &str) -> bool {
    let letters = (2..=63).contains(&tld.len()) && tld.bytes().all(|b| b.is_ascii_alphabetic());
    let punycode = tld.len() > 4 && tld.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("xn--")) && is_label(tld);
    letters || punycode
}

/// The name to block, from the `fqdn` field: surrounding whitespace ignored, lowercased. A
/// name that breaks MozDef's rule (see the module doc) is a [`ServiceError::Invalid`] naming
/// `fqdn` and the name (MozDef answered `400 invalid FQDN`).
pub fn check_fqdn(text: &str) -> Result<String, ServiceError> {
    let name = text.trim();
    if is_fqdn(name) {
        Ok(name.to_ascii_lowercase())
    } else {
        Err(ServiceError::invalid(
            FIELD,
            format!(
                "{name:?} is not a fully qualified domain name (dot-separated labels of letters, digits and hyphens, ending in a top-level domain of letters)"
            ),
        ))
    }
}

/// The names `/blockfqdn` refuses to block (MozDef's `fqdn_whitelist_file`): exact names,
/// compared lowercased.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FqdnWhitelist {
    names: BTreeSet<String>,
}

impl FqdnWhitelist {
    /// A whitelist of `names` and of the names in `file`, if any (one a line, `#` comments and
    /// blank lines skipped). A name that is not an FQDN is an error naming `fqdn_whitelist`
    /// or the file and line (MozDef skipped such lines silently).
    pub fn load<S: AsRef<str>>(names: impl IntoIterator<Item = S>, file: Option<&Path>) -> Result<Self, ServiceError> {
        let mut whitelist = FqdnWhitelist::default();
        for name in names {
            let name = name.as_ref().trim();
            if name.is_empty() {
                continue;
            }
            let name = check_fqdn(name).map_err(|_| {
                ServiceError::config("fqdn_whitelist", format!("{name:?} is not a fully qualified domain name"))
            })?;
            whitelist.names.insert(name);
        }
        if let Some(path) = file {
            for (line, entry) in list_file::read_entries(FILE_SETTING, path)? {
                let name = check_fqdn(&entry).map_err(|_| {
                    ServiceError::config(
                        list_file::line_setting(FILE_SETTING, path, line),
                        format!("{entry:?} is not a fully qualified domain name"),
                    )
                })?;
                whitelist.names.insert(name);
            }
        }
        Ok(whitelist)
    }

    /// Whether `name` is whitelisted (compared lowercased, surrounding whitespace ignored).
    pub fn contains(&self, name: &str) -> bool {
        self.names.contains(&name.trim().to_ascii_lowercase())
    }

    /// Whether nothing is whitelisted.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn valid_names() {
        for name in [
            "example.com",
            "a.io",
            "www.Mozilla.ORG",
            "a-b.c-d.example.co.uk",
            "123.example.com",
            "xn--80ak6aa92e.com",
            "example.xn--p1ai",
        ] {
            assert!(is_fqdn(name), "{name}");
        }
        let longest_label = format!("{}.com", "a".repeat(63));
        assert!(is_fqdn(&longest_label));
    }

    #[test]
    fn invalid_names() {
        let too_long_label = format!("{}.com", "a".repeat(64));
        let too_long_name = format!("{}com", "abcdefghi.".repeat(26));
        for name in [
            "",
            "a.b",
            "com",
            "localhost",
            "example",
            "example.c",
            "example.com.",
            ".example.com",
            "exa mple.com",
            "-example.com",
            "example-.com",
            "ex..ample.com",
            "example.c0m",
            "1.2.3.4",
            "example.com\nfoo",
            "exa_mple.com",
            "http://example.com",
            "example.xn--",
            "example.-xn--p1ai",
            &too_long_label,
            &too_long_name,
        ] {
            assert!(!is_fqdn(name), "{name:?}");
        }
    }

    #[test]
    fn check_lowercases_and_trims() {
        assert_eq!(check_fqdn("  WWW.Example.COM ").unwrap(), "www.example.com");
    }

    #[test]
    fn check_names_the_field_and_the_name() {
        let e = check_fqdn("not a name").unwrap_err().to_string();
        assert!(e.starts_with("fqdn: \"not a name\" is not a fully qualified domain name"), "{e}");
    }

    #[test]
    fn whitelist_from_names_and_file() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        writeln!(file, "# ours\nMozilla.org\n\n'firefox.com'").unwrap();
        let whitelist = FqdnWhitelist::load(["example.com", ""], Some(file.path())).unwrap();
        assert!(whitelist.contains("example.com"));
        assert!(whitelist.contains("mozilla.org"));
        assert!(whitelist.contains(" FIREFOX.com"));
        assert!(!whitelist.contains("www.mozilla.org"));
    }

    #[test]
    fn whitelist_bad_line_names_file_and_line() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        writeln!(file, "mozilla.org\n1.2.3.4").unwrap();
        let e = FqdnWhitelist::load(Vec::<String>::new(), Some(file.path())).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "fqdn_whitelist_file {} line 2: \"1.2.3.4\" is not a fully qualified domain name",
                file.path().display()
            )
        );
    }
}
