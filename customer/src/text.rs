//! Text from the appliance (chat lines, names, button names) shown in the customer's terminal.
//! A terminal obeys escape sequences, so a chat line could clear the screen, set the clipboard
//! (OSC 52) or draw a fake password prompt; only printable text is let through.
/// `text` with every control character (C0, DEL, C1) and therefore every escape sequence's
/// introducer shown as a visible `�` instead of acted on. Line breaks become spaces: one
/// message, one line.
#[must_use]
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => ' ',
            c if c.is_control() => '\u{FFFD}',
            // Bidirectional overrides can make a line read differently from what it is.
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn escape_sequences_are_shown_not_obeyed() {
        // Clear screen, OSC 52 clipboard write, cursor movement, a C1 CSI.
        let hostile = "hi\x1b[2J\x1b]52;c;ZXZpbA==\x07\x1b[10;1HPassword:\u{9b}31m";
        let shown = printable(hostile);
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
        assert!(shown.starts_with("hi\u{FFFD}[2J"));
        assert!(shown.contains("Password:"));
    }

    #[test]
    fn ordinary_text_is_unchanged() {
        assert_eq!(printable("Grüße, 你好 — ok?"), "Grüße, 你好 — ok?");
        assert_eq!(printable("two\nlines"), "two lines");
    }
}
