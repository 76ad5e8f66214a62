//! CSV as Excel opens it: UTF-8 with a byte-order mark (without it Excel reads Chinese as
//! mojibake), CRLF line ends, every field quoted when it holds a comma, quote or line break
//! (RFC 4180). A cell that would start with `=`, `+`, `-` or `@` gets a leading apostrophe so
//! that a venue named "=HYPERLINK(...)" cannot become a formula in a staff member's
//! spreadsheet (CSV injection).

/// The byte-order mark Excel needs to read UTF-8.
pub const BOM: &str = "\u{feff}";

/// A CSV document being written.
#[derive(Debug, Default)]
pub struct Csv {
    text: String,
}

impl Csv {
    pub fn new() -> Self {
        Self {
            text: BOM.to_owned(),
        }
    }

    /// Appends one row.
    pub fn row<I, S>(&mut self, fields: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut first = true;
        for field in fields {
            if !first {
                self.text.push(',');
            }
            first = false;
            self.text.push_str(&field_text(field.as_ref()));
        }
        self.text.push_str("\r\n");
    }

    pub fn finish(self) -> String {
        self.text
    }
}

fn field_text(field: &str) -> String {
    let guarded =
        if field.starts_with(['=', '+', '-', '@', '\t', '\r']) && field.parse::<f64>().is_err() {
            format!("'{field}")
        } else {
            field.to_owned()
        };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_reads_it_as_utf8_and_fields_are_quoted_when_needed() {
        let mut csv = Csv::new();
        csv.row(["展品", "opens"]);
        csv.row(["a, \"b\"", "12"]);
        csv.row(["-3", "=1+1"]);
        assert_eq!(
            csv.finish(),
            "\u{feff}展品,opens\r\n\"a, \"\"b\"\"\",12\r\n-3,'=1+1\r\n"
        );
    }
}
