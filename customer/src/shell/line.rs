//! The line editing a shell behind plain pipes lacks (Windows' `cmd.exe` where there is no
//! pseudo console, as under Wine): what the technician types is echoed, Backspace removes the
//! last character, Enter sends the line, Ctrl+C drops it, and escape sequences (arrow keys)
//! are ignored rather than sent as text. A real terminal does all this itself. Pure, so it is
//! tested on every platform.

/// The line being typed.
#[derive(Debug, Default)]
pub struct LineEditor {
    line: String,
    /// Inside an escape sequence: bytes are skipped up to its final byte.
    escape: Escape,
    /// The bytes of a character split across two writes.
    partial: Vec<u8>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Escape {
    #[default]
    None,
    /// After ESC.
    Started,
    /// After ESC [ or ESC O: up to a byte in `@`..=`~`.
    Sequence,
}

/// What typing did: what to show the technician, and the lines to give the shell.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Typed {
    /// Echo, for the terminal.
    pub echo: Vec<u8>,
    /// Whole lines, each ending in CR LF, for the shell's input (one write each).
    pub lines: Vec<String>,
}

impl LineEditor {
    /// Take what the technician typed.
    pub fn type_bytes(&mut self, bytes: &[u8]) -> Typed {
        let mut typed = Typed::default();
        self.partial.extend_from_slice(bytes);
        let pending = std::mem::take(&mut self.partial);
        let (text, rest) = match std::str::from_utf8(&pending) {
            Ok(text) => (text.to_owned(), &[][..]),
            Err(e) if e.error_len().is_none() => {
                let (valid, rest) = pending.split_at(e.valid_up_to());
                (String::from_utf8_lossy(valid).into_owned(), rest)
            }
            Err(_) => (String::from_utf8_lossy(&pending).into_owned(), &[][..]),
        };
        self.partial = rest.to_vec();
        for c in text.chars() {
            match (self.escape, c) {
                (Escape::Started, '[' | 'O') => self.escape = Escape::Sequence,
                (Escape::Started, _) => self.escape = Escape::None,
                (Escape::Sequence, '@'..='~') => self.escape = Escape::None,
                (Escape::Sequence, _) => {}
                (Escape::None, '\u{1b}') => self.escape = Escape::Started,
                (Escape::None, '\r' | '\n') => {
                    typed.echo.extend_from_slice(b"\r\n");
                    typed
                        .lines
                        .push(format!("{}\r\n", std::mem::take(&mut self.line)));
                }
                (Escape::None, '\u{7f}' | '\u{8}') => {
                    if self.line.pop().is_some() {
                        typed.echo.extend_from_slice(b"\x08 \x08");
                    }
                }
                (Escape::None, '\u{3}') => {
                    self.line.clear();
                    typed.echo.extend_from_slice(b"^C\r\n");
                    typed.lines.push("\r\n".into());
                }
                (Escape::None, c) if c.is_control() && c != '\t' => {}
                (Escape::None, c) => {
                    self.line.push(c);
                    let mut buffer = [0u8; 4];
                    typed
                        .echo
                        .extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
                }
            }
        }
        typed
    }
}

#[cfg(test)]
mod tests {
    use super::LineEditor;

    #[test]
    fn typing_is_echoed_and_enter_sends_the_line() {
        let mut editor = LineEditor::default();
        let typed = editor.type_bytes(b"dir");
        assert_eq!(typed.echo, b"dir");
        assert!(
            typed.lines.is_empty(),
            "nothing reaches the shell before Enter"
        );
        let typed = editor.type_bytes(b"\r");
        assert_eq!(typed.echo, b"\r\n");
        assert_eq!(typed.lines, vec!["dir\r\n".to_owned()]);
    }

    #[test]
    fn backspace_removes_a_character_and_ctrl_c_drops_the_line() {
        let mut editor = LineEditor::default();
        let typed = editor.type_bytes("echo é\u{7f}e\r".as_bytes());
        assert_eq!(typed.lines, vec!["echo e\r\n".to_owned()]);
        assert!(typed.echo.windows(3).any(|w| w == b"\x08 \x08"));
        let typed = editor.type_bytes(b"del *\x03");
        assert_eq!(
            typed.lines,
            vec!["\r\n".to_owned()],
            "the line is dropped, a new prompt asked for"
        );
        assert!(
            editor.type_bytes(b"\x7f").echo.is_empty(),
            "nothing left to remove"
        );
    }

    #[test]
    fn arrow_keys_are_ignored_not_typed_and_split_characters_are_joined() {
        let mut editor = LineEditor::default();
        let typed = editor.type_bytes(b"a\x1b[Ab\x1bOD");
        assert_eq!(typed.echo, b"ab");
        let euro = "€".as_bytes();
        assert!(editor.type_bytes(&euro[..1]).echo.is_empty());
        assert_eq!(editor.type_bytes(&euro[1..]).echo, euro);
        assert_eq!(editor.type_bytes(b"\n").lines, vec!["ab€\r\n".to_owned()]);
    }
}
