//! Python's `str(float)` (`repr`), used where MozDef formatted coordinates with
//! `'{},{}'.format(lat, lon)`.

/// Formats `x` as Python 3 prints a float: the shortest round-tripping digits, `.0` on
/// integral values, scientific notation (`1e-05`, `1.5e+16`) below 1e-4 or from 1e16 on,
/// and `nan` / `inf` / `-inf`.
pub fn python_float(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    let magnitude = x.abs();
    if magnitude != 0.0 && !(1e-4..1e16).contains(&magnitude) {
        return scientific(x);
    }
    let plain = format!("{x}");
    if plain.contains('.') { plain } else { format!("{plain}.0") }
}

/// Python's exponent form: Rust's `1.5e-5` becomes `1.5e-05`, `1e16` becomes `1e+16`.
fn scientific(x: f64) -> String {
    let rust = format!("{x:e}");
    let Some((mantissa, exponent)) = rust.split_once('e') else {
        return rust;
    };
    let (sign, digits) = match exponent.strip_prefix('-') {
        Some(digits) => ('-', digits),
        None => ('+', exponent),
    };
    format!("{mantissa}e{sign}{digits:0>2}")
}

#[cfg(test)]
mod tests {
    use super::python_float;

    #[test]
    fn matches_python_repr() {
        for (x, py) in [
            (37.773972, "37.773972"),
            (-122.431297, "-122.431297"),
            (43.6529, "43.6529"),
            (43.0, "43.0"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-0.000015, "-1.5e-05"),
            (1e16, "1e+16"),
            (1234.5, "1234.5"),
            (0.1 + 0.2, "0.30000000000000004"),
        ] {
            assert_eq!(python_float(x), py, "{x}");
        }
        assert_eq!(python_float(f64::NAN), "nan");
        assert_eq!(python_float(f64::NEG_INFINITY), "-inf");
    }
}
