//! Escaping for everything the page shows from an image. Image data is
//! hostile (a path may be `<script>…`, a summary may carry quotes or bidi
//! overrides), so every value goes through `E`, in text and in quoted
//! attributes alike.

use std::fmt;

/// Displays a string HTML-escaped, safe both as element text and inside a
/// double- or single-quoted attribute value.
pub struct E<'a>(pub &'a str);

impl fmt::Display for E<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(i) = rest.find(needs_escape) {
            let (plain, tail) = rest.split_at(i);
            f.write_str(plain)?;
            let mut chars = tail.chars();
            if let Some(c) = chars.next() {
                write_escaped(f, c)?;
            }
            rest = chars.as_str();
        }
        f.write_str(rest)
    }
}

fn needs_escape(c: char) -> bool {
    matches!(c, '&' | '<' | '>' | '"' | '\'') || invisible(c)
}

/// Control characters and the Unicode format characters that reorder or
/// hide text: shown as visible escapes, so a file name cannot make the page
/// display a different name than the one in the image.
fn invisible(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

fn write_escaped(f: &mut fmt::Formatter<'_>, c: char) -> fmt::Result {
    match c {
        '&' => f.write_str("&amp;"),
        '<' => f.write_str("&lt;"),
        '>' => f.write_str("&gt;"),
        '"' => f.write_str("&quot;"),
        '\'' => f.write_str("&#39;"),
        c => write!(f, "\\u{{{:x}}}", u32::from(c)),
    }
}

#[cfg(test)]
mod tests {
    use super::E;

    #[test]
    fn markup_quotes_and_invisible_characters_are_escaped() {
        assert_eq!(
            E("<script>alert(\"x\")</script>").to_string(),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
        );
        assert_eq!(E("a&b 'c'").to_string(), "a&amp;b &#39;c&#39;");
        assert_eq!(E("ok\u{1b}[31m").to_string(), "ok\\u{1b}[31m");
        assert_eq!(E("evil\u{202e}gpj.exe").to_string(), "evil\\u{202e}gpj.exe");
        assert_eq!(E("/usr/lib/ß\tx\ny").to_string(), "/usr/lib/ß\tx\ny");
        assert_eq!(E("").to_string(), "");
    }
}
