//! The technician's pointer and keys through `SendInput`: the pointer placed absolutely on the
//! virtual screen, buttons pressed and released as they change, keys as virtual keys or
//! characters ([`windows_key`]).
use super::super::keysym::absolute;
use super::super::{Input, ScreenError, WindowsKey, is_shortcut_modifier, windows_key};
use super::virtual_screen;
use windows_sys::Win32::UI::Input::KeyboardAndMouse::{
    INPUT, INPUT_0, INPUT_KEYBOARD, INPUT_MOUSE, KEYBDINPUT, KEYEVENTF_EXTENDEDKEY,
    KEYEVENTF_KEYUP, KEYEVENTF_UNICODE, MAPVK_VK_TO_VSC, MOUSEEVENTF_ABSOLUTE,
    MOUSEEVENTF_LEFTDOWN, MOUSEEVENTF_LEFTUP, MOUSEEVENTF_MIDDLEDOWN, MOUSEEVENTF_MIDDLEUP,
    MOUSEEVENTF_MOVE, MOUSEEVENTF_RIGHTDOWN, MOUSEEVENTF_RIGHTUP, MOUSEEVENTF_VIRTUALDESK,
    MOUSEINPUT, MapVirtualKeyW, SendInput,
};

/// Pointer and keyboard of this session's desktop.
#[derive(Debug, Default)]
pub struct WindowsInput {
    /// The buttons held (bit 0 left, 1 middle, 2 right).
    buttons: u8,
    /// The shortcut modifiers held (Ctrl, Alt, Windows), by keysym.
    modifiers: Vec<u32>,
}

fn mouse(dx: i32, dy: i32, flags: u32) -> INPUT {
    INPUT {
        r#type: INPUT_MOUSE,
        Anonymous: INPUT_0 {
            mi: MOUSEINPUT {
                dx,
                dy,
                mouseData: 0,
                dwFlags: flags,
                time: 0,
                dwExtraInfo: 0,
            },
        },
    }
}

fn keyboard(vk: u16, scan: u16, flags: u32) -> INPUT {
    INPUT {
        r#type: INPUT_KEYBOARD,
        Anonymous: INPUT_0 {
            ki: KEYBDINPUT {
                wVk: vk,
                wScan: scan,
                dwFlags: flags,
                time: 0,
                dwExtraInfo: 0,
            },
        },
    }
}

fn send(inputs: &[INPUT]) -> Result<(), ScreenError> {
    let (count, size) = (
        u32::try_from(inputs.len()).unwrap_or(0),
        i32::try_from(std::mem::size_of::<INPUT>()).unwrap_or(0),
    );
    // SAFETY: `inputs` is a live slice of `count` INPUT structures of `size` bytes each.
    let sent = unsafe { SendInput(count, inputs.as_ptr(), size) };
    if sent == count {
        Ok(())
    } else {
        Err(ScreenError::Display(format!(
            "SendInput took {sent} of {count} events: {}",
            std::io::Error::last_os_error()
        )))
    }
}

impl Input for WindowsInput {
    fn pointer(&mut self, x: u16, y: u16, buttons: u8) -> Result<(), ScreenError> {
        let (_, _, width, height) = virtual_screen()?;
        let (dx, dy) = absolute(x, y, (width, height));
        let mut events = vec![mouse(
            dx,
            dy,
            MOUSEEVENTF_MOVE | MOUSEEVENTF_ABSOLUTE | MOUSEEVENTF_VIRTUALDESK,
        )];
        let flags = [
            (MOUSEEVENTF_LEFTDOWN, MOUSEEVENTF_LEFTUP),
            (MOUSEEVENTF_MIDDLEDOWN, MOUSEEVENTF_MIDDLEUP),
            (MOUSEEVENTF_RIGHTDOWN, MOUSEEVENTF_RIGHTUP),
        ];
        for (bit, (down, up)) in (0u8..).zip(flags) {
            let (was, now) = (self.buttons >> bit & 1, buttons >> bit & 1);
            if was != now {
                events.push(mouse(0, 0, if now == 1 { down } else { up }));
            }
        }
        self.buttons = buttons & 0b111;
        send(&events)
    }

    fn key(&mut self, keysym: u32, down: bool) -> Result<(), ScreenError> {
        if is_shortcut_modifier(keysym) {
            self.modifiers.retain(|k| *k != keysym);
            if down {
                self.modifiers.push(keysym);
            }
        }
        let up = if down { 0 } else { KEYEVENTF_KEYUP };
        match windows_key(keysym, !self.modifiers.is_empty()) {
            Some(WindowsKey::Virtual { code, extended }) => {
                // SAFETY: a table lookup with no pointers.
                let scan = unsafe { MapVirtualKeyW(u32::from(code), MAPVK_VK_TO_VSC) };
                let flags = up | if extended { KEYEVENTF_EXTENDEDKEY } else { 0 };
                send(&[keyboard(code, u16::try_from(scan).unwrap_or(0), flags)])
            }
            Some(WindowsKey::Unicode(units, len)) => {
                let events: Vec<INPUT> = units[..len]
                    .iter()
                    .map(|unit| keyboard(0, *unit, KEYEVENTF_UNICODE | up))
                    .collect();
                send(&events)
            }
            None => {
                tracing::debug!(keysym, "no Windows key for this keysym");
                Ok(())
            }
        }
    }
}
