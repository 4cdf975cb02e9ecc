//! The technician's keys (X11 keysyms, what every viewer sends) as Windows keyboard input: a
//! virtual-key code for the keys a keyboard names (Enter, arrows, F1, Shift) and for letters and
//! digits pressed with Ctrl, Alt or Windows held (a shortcut such as Ctrl+C needs the key, not the
//! character); the UTF-16 character otherwise, so any text arrives as typed whatever the
//! customer's keyboard layout; and the pointer's place in `SendInput`'s units. Pure, so it is
//! tested on every platform; the Windows input uses it.

/// One key press or release, as `SendInput` takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowsKey {
    /// A virtual-key code (`VK_*`); `extended`: the key is one of the extended set (arrows,
    /// Home, Insert, right Ctrl...), which Windows tells apart from the numeric keypad's.
    Virtual {
        /// The code.
        code: u16,
        /// Whether it is an extended key.
        extended: bool,
    },
    /// Characters, as UTF-16 units (two for a character beyond the Basic Multilingual Plane).
    Unicode([u16; 2], usize),
}

/// Named keysyms and their virtual keys (`keysymdef.h` and `WinUser.h`).
const NAMED: &[(u32, u16, bool)] = &[
    (0xff08, 0x08, false), // BackSpace: VK_BACK
    (0xff09, 0x09, false), // Tab
    (0xff0d, 0x0d, false), // Return
    (0xff1b, 0x1b, false), // Escape
    (0xffff, 0x2e, true),  // Delete
    (0xff50, 0x24, true),  // Home
    (0xff51, 0x25, true),  // Left
    (0xff52, 0x26, true),  // Up
    (0xff53, 0x27, true),  // Right
    (0xff54, 0x28, true),  // Down
    (0xff55, 0x21, true),  // Prior: VK_PRIOR
    (0xff56, 0x22, true),  // Next
    (0xff57, 0x23, true),  // End
    (0xff63, 0x2d, true),  // Insert
    (0xffe1, 0xa0, false), // Shift_L: VK_LSHIFT
    (0xffe2, 0xa1, false), // Shift_R
    (0xffe3, 0xa2, false), // Control_L: VK_LCONTROL
    (0xffe4, 0xa3, true),  // Control_R
    (0xffe9, 0xa4, false), // Alt_L: VK_LMENU
    (0xffea, 0xa5, true),  // Alt_R
    (0xffe7, 0x5b, true),  // Meta_L: the Windows key
    (0xffeb, 0x5b, true),  // Super_L
    (0xffec, 0x5c, true),  // Super_R
    (0xffe5, 0x14, false), // Caps_Lock
    (0x0020, 0x20, false), // space
];

/// Whether a keysym is one of the modifiers that make a letter a shortcut (Ctrl, Alt, Windows).
#[must_use]
pub fn is_shortcut_modifier(keysym: u32) -> bool {
    matches!(
        keysym,
        0xffe3 | 0xffe4 | 0xffe9 | 0xffea | 0xffe7 | 0xffeb | 0xffec
    )
}

/// The Windows key for a keysym; `shortcut`: Ctrl, Alt or Windows is held. `None` for keysyms
/// with no Windows key (dead keys, unassigned codes).
#[must_use]
pub fn windows_key(keysym: u32, shortcut: bool) -> Option<WindowsKey> {
    if let Some((_, code, extended)) = NAMED.iter().find(|(k, _, _)| *k == keysym) {
        return Some(WindowsKey::Virtual {
            code: *code,
            extended: *extended,
        });
    }
    // F1 (0xffbe) to F24: VK_F1 (0x70) onwards.
    if (0xffbe..0xffbe + 24).contains(&keysym) {
        let code = u16::try_from(0x70 + keysym - 0xffbe).ok()?;
        return Some(WindowsKey::Virtual {
            code,
            extended: false,
        });
    }
    let character = match keysym {
        0x20..=0x7e | 0xa0..=0xff => char::from_u32(keysym)?,
        0x0100_0000..=0x0110_ffff => char::from_u32(keysym - 0x0100_0000)?,
        _ => return None,
    };
    if shortcut && character.is_ascii_alphanumeric() {
        // VK_A..VK_Z and VK_0..VK_9 are the upper-case letters' and the digits' codes.
        let code = u16::try_from(u32::from(character.to_ascii_uppercase())).ok()?;
        return Some(WindowsKey::Virtual {
            code,
            extended: false,
        });
    }
    let mut units = [0u16; 2];
    let len = character.encode_utf16(&mut units).len();
    Some(WindowsKey::Unicode(units, len))
}

#[cfg_attr(not(windows), allow(dead_code))]
/// Where (x, y) of a `width` x `height` screen is in `SendInput`'s absolute units (0 to 65535
/// across the virtual screen).
pub(super) fn absolute(x: u16, y: u16, (width, height): (u16, u16)) -> (i32, i32) {
    let scale = |v: u16, side: u16| {
        let last = i32::from(side.max(2)) - 1;
        (i32::from(v).min(last) * 65535 + last / 2) / last
    };
    (scale(x, width), scale(y, height))
}

#[cfg(test)]
mod tests {
    use super::{WindowsKey, absolute, is_shortcut_modifier, windows_key};

    #[test]
    fn the_pointer_s_corners_are_the_ends_of_the_absolute_range() {
        assert_eq!(absolute(0, 0, (1024, 768)), (0, 0));
        assert_eq!(absolute(512, 384, (1024, 768)), (32800, 32810));
        assert_eq!(absolute(1023, 767, (1024, 768)), (65535, 65535));
        assert_eq!(
            absolute(5000, 5000, (1024, 768)),
            (65535, 65535),
            "off the screen"
        );
    }

    fn vk(code: u16, extended: bool) -> Option<WindowsKey> {
        Some(WindowsKey::Virtual { code, extended })
    }

    #[test]
    fn named_keys_are_virtual_keys_with_the_extended_ones_marked() {
        assert_eq!(windows_key(0xff0d, false), vk(0x0d, false), "Enter");
        assert_eq!(windows_key(0xff51, false), vk(0x25, true), "Left");
        assert_eq!(windows_key(0xffff, false), vk(0x2e, true), "Delete");
        assert_eq!(windows_key(0xffe1, false), vk(0xa0, false), "Shift");
        assert_eq!(windows_key(0xffbe, false), vk(0x70, false), "F1");
        assert_eq!(windows_key(0xffc9, false), vk(0x7b, false), "F12");
    }

    #[test]
    fn text_is_typed_as_characters_whatever_the_layout() {
        assert_eq!(
            windows_key(u32::from('a'), false),
            Some(WindowsKey::Unicode([0x61, 0], 1))
        );
        assert_eq!(
            windows_key(0xe9, false),
            Some(WindowsKey::Unicode([0xe9, 0], 1)),
            "é, Latin-1"
        );
        assert_eq!(
            windows_key(0x0100_20ac, false),
            Some(WindowsKey::Unicode([0x20ac, 0], 1)),
            "€, a Unicode keysym"
        );
        assert_eq!(
            windows_key(0x0101_f600, false),
            Some(WindowsKey::Unicode([0xd83d, 0xde00], 2)),
            "an emoji is a surrogate pair"
        );
    }

    #[test]
    fn with_ctrl_alt_or_windows_held_letters_and_digits_are_keys_for_shortcuts() {
        assert!(is_shortcut_modifier(0xffe3) && is_shortcut_modifier(0xffe9));
        assert!(
            !is_shortcut_modifier(0xffe1),
            "Shift makes capitals, not shortcuts"
        );
        assert_eq!(
            windows_key(u32::from('c'), true),
            vk(u16::from(b'C'), false)
        );
        assert_eq!(
            windows_key(u32::from('C'), true),
            vk(u16::from(b'C'), false)
        );
        assert_eq!(
            windows_key(u32::from('5'), true),
            vk(u16::from(b'5'), false)
        );
        assert_eq!(
            windows_key(u32::from('/'), true),
            Some(WindowsKey::Unicode([0x2f, 0], 1)),
            "punctuation stays a character"
        );
    }

    #[test]
    fn keysyms_with_no_windows_key_are_none() {
        assert_eq!(windows_key(0xfe50, false), None, "a dead key");
        assert_eq!(windows_key(0x1f, false), None, "a control character");
        assert_eq!(windows_key(0x0120_0000, false), None, "beyond Unicode");
    }
}
