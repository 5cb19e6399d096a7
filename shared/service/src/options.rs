//! Reading a group of settings (a `clap::Args` struct whose fields name their environment
//! variables) from the environment alone, as the Lambdas do at cold start: the same
//! definitions `mozdef dev` reads from its flags and the same variables, so every entry point
//! reads a setting the same way. A bad value fails naming the variable.

use clap::{Args, Command, FromArgMatches};

use crate::error::ServiceError;

/// Reads `T` from the process environment (no command-line arguments).
pub fn from_env<T: Args + FromArgMatches>() -> Result<T, ServiceError> {
    let command = T::augment_args(Command::new("mozdef").no_binary_name(true));
    let matches = command.clone().try_get_matches_from(Vec::<String>::new()).map_err(|e| env_error(&command, &e))?;
    T::from_arg_matches(&matches).map_err(|e| env_error(&command, &e))
}

/// A clap error about a value that came from the environment, naming the variable.
fn env_error(command: &Command, error: &clap::Error) -> ServiceError {
    use clap::error::{ContextKind, ContextValue};
    let flag = match error.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(flag)) => flag.clone(),
        _ => String::new(),
    };
    let variable = command
        .get_arguments()
        .find(|arg| arg.get_long().is_some_and(|long| flag.split_whitespace().next() == Some(&format!("--{long}"))))
        .and_then(|arg| arg.get_env())
        .map(|env| env.to_string_lossy().into_owned());
    let message = error.kind().as_str().unwrap_or("invalid setting").to_owned();
    let detail = match error.get(ContextKind::InvalidValue) {
        Some(ContextValue::String(value)) => format!("{message}: {value:?}"),
        _ => error.to_string().trim().trim_start_matches("error: ").to_owned(),
    };
    ServiceError::config(variable.unwrap_or_else(|| "environment".to_owned()), detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, clap::Args)]
    struct Probe {
        #[arg(long, env = "MOZDEF_TEST_PROBE_NUMBER", default_value_t = 7)]
        number: u32,
    }

    #[test]
    fn defaults_when_unset_and_a_bad_value_names_its_variable() {
        // Nothing sets the variable (the process environment cannot be changed safely in a
        // test): the default holds, and the mapper is checked on a value from a flag.
        assert_eq!(from_env::<Probe>().map(|p| p.number).ok(), Some(7));
        let command = Probe::augment_args(Command::new("mozdef").no_binary_name(true));
        let error = command.clone().try_get_matches_from(["--number", "x"]).err();
        let error = error.map(|e| env_error(&command, &e).to_string()).unwrap_or_default();
        assert!(error.starts_with("MOZDEF_TEST_PROBE_NUMBER: "), "{error}");
        assert!(error.contains("\"x\""), "{error}");
    }
}
