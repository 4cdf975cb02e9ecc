//! The browser's key names (`KeyboardEvent.key`) as X11 keysyms, what the customer client
//! types. A character is its own keysym in Latin-1 and `0x0100_0000 + code point` beyond it
//! (the X11 convention); named keys come from the table below.

/// Named keys the web console passes on, with their keysyms (X11 `keysymdef.h`).
const NAMED: &[(&str, u32)] = &[
    ("Backspace", 0xff08),
    ("Tab", 0xff09),
    ("Enter", 0xff0d),
    ("Escape", 0xff1b),
    ("Delete", 0xffff),
    ("Home", 0xff50),
    ("ArrowLeft", 0xff51),
    ("ArrowUp", 0xff52),
    ("ArrowRight", 0xff53),
    ("ArrowDown", 0xff54),
    ("PageUp", 0xff55),
    ("PageDown", 0xff56),
    ("End", 0xff57),
    ("Insert", 0xff63),
    ("Shift", 0xffe1),
    ("Control", 0xffe3),
    ("Alt", 0xffe9),
    ("Meta", 0xffeb),
    ("CapsLock", 0xffe5),
];

/// The keysym for a key name, or `None` for keys the web console does not pass on (dead keys,
/// media keys, `Unidentified`).
#[must_use]
pub fn keysym(name: &str) -> Option<u32> {
    let mut chars = name.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        let code = u32::from(c);
        return match code {
            0x20..=0x7e | 0xa0..=0xff => Some(code),
            0..=0x1f | 0x7f..=0x9f => None,
            _ => Some(0x0100_0000 + code),
        };
    }
    if let Some(n) = name.strip_prefix('F').and_then(|n| n.parse::<u32>().ok()) {
        // F1 is 0xffbe, up to F35.
        return (1..=35).contains(&n).then(|| 0xffbe + n - 1);
    }
    NAMED.iter().find(|(n, _)| *n == name).map(|(_, k)| *k)
}

#[cfg(test)]
mod tests {
    use super::keysym;

    #[test]
    fn characters_and_named_keys_become_keysyms_and_the_rest_nothing() {
        assert_eq!(keysym("a"), Some(0x61));
        assert_eq!(keysym("A"), Some(0x41));
        assert_eq!(keysym(" "), Some(0x20));
        assert_eq!(keysym("é"), Some(0xe9), "Latin-1 is its own keysym");
        assert_eq!(
            keysym("€"),
            Some(0x0100_20ac),
            "beyond Latin-1: Unicode keysym"
        );
        assert_eq!(keysym("Enter"), Some(0xff0d));
        assert_eq!(keysym("ArrowUp"), Some(0xff52));
        assert_eq!(keysym("F1"), Some(0xffbe));
        assert_eq!(keysym("F12"), Some(0xffc9));
        assert_eq!(keysym("F36"), None);
        assert_eq!(keysym("Dead"), None);
        assert_eq!(keysym("Unidentified"), None);
        assert_eq!(keysym("\u{7}"), None, "a control character");
    }
}
