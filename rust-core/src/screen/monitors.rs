//! The customer's monitors (issue 15): a desktop of two 1920x1080 monitors is 3840 pixels wide,
//! unreadable on a phone; the technician picks one and is sent that one alone. The customer
//! client says which monitors there are (and again when they change) in a message of kind 3:
//! the byte 3, then UTF-8 JSON of [`Monitors`]. A viewer picks with
//! [`ViewerMessage::Monitor`](super::ViewerMessage::Monitor); the stream is shared, so the last
//! pick counts for every viewer of the session.
use super::FrameError;
use serde::{Deserialize, Serialize};

/// A monitors message's kind byte.
pub const KIND_MONITORS: u8 = 3;
/// At most this many monitors are listed (a message is bounded like any other).
pub const MAX_MONITORS: usize = 16;
/// A monitor's name is cut to this many bytes.
pub const MAX_NAME: usize = 64;

/// A monitor: its place on the desktop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Monitor {
    /// What the system calls it (`DP-1`, `HDMI-2`).
    pub name: String,
    /// Left edge on the desktop.
    pub x: i32,
    /// Top edge on the desktop.
    pub y: i32,
    /// Width in pixels.
    pub width: u16,
    /// Height in pixels.
    pub height: u16,
    /// The customer's main monitor.
    pub primary: bool,
}

/// The customer's monitors, and which one is sent (`None`: the whole desktop).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Monitors {
    /// In the order the system lists them.
    pub monitors: Vec<Monitor>,
    /// The index of the monitor sent, if one is.
    pub shown: Option<u8>,
}

/// Serialise a monitors message.
#[must_use]
pub fn encode(monitors: &Monitors) -> Vec<u8> {
    let mut out = vec![KIND_MONITORS];
    // Serialising plain structs of strings and numbers cannot fail.
    out.extend(serde_json::to_vec(monitors).unwrap_or_default());
    out
}

/// Read a monitors message: at most [`MAX_MONITORS`], names cut to [`MAX_NAME`] bytes, the one
/// shown among them.
///
/// # Errors
/// When the message is not a well-formed monitors message.
pub fn decode(b: &[u8]) -> Result<Monitors, FrameError> {
    let kind = *b.first().ok_or(FrameError::Truncated)?;
    if kind != KIND_MONITORS {
        return Err(FrameError::UnknownKind(kind));
    }
    let mut list: Monitors = serde_json::from_slice(&b[1..]).map_err(|_| FrameError::Corrupt)?;
    if list.monitors.len() > MAX_MONITORS
        || list
            .shown
            .is_some_and(|i| usize::from(i) >= list.monitors.len())
    {
        return Err(FrameError::OutOfBounds);
    }
    for m in &mut list.monitors {
        if m.name.len() > MAX_NAME {
            let mut end = MAX_NAME;
            while !m.name.is_char_boundary(end) {
                end -= 1;
            }
            m.name.truncate(end);
        }
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two() -> Monitors {
        let monitor = |name: &str, x| Monitor {
            name: name.into(),
            x,
            y: 0,
            width: 1920,
            height: 1080,
            primary: x == 0,
        };
        Monitors {
            monitors: vec![monitor("DP-1", 0), monitor("HDMI-1", 1920)],
            shown: Some(1),
        }
    }

    #[test]
    fn a_monitors_message_reads_back_as_sent() {
        assert_eq!(decode(&encode(&two())), Ok(two()));
    }

    #[test]
    fn a_pick_beyond_the_list_too_many_monitors_or_a_broken_message_is_refused() {
        let beyond = Monitors {
            shown: Some(2),
            ..two()
        };
        assert_eq!(decode(&encode(&beyond)), Err(FrameError::OutOfBounds));
        let many = Monitors {
            monitors: vec![two().monitors[0].clone(); MAX_MONITORS + 1],
            shown: None,
        };
        assert_eq!(decode(&encode(&many)), Err(FrameError::OutOfBounds));
        assert_eq!(decode(&[KIND_MONITORS, b'{']), Err(FrameError::Corrupt));
        assert_eq!(decode(&[1]), Err(FrameError::UnknownKind(1)));
        let mut long = two();
        long.monitors[0].name = "é".repeat(100);
        let read = decode(&encode(&long)).map(|m| m.monitors[0].name.len());
        assert_eq!(read, Ok(MAX_NAME), "cut at a character's edge");
    }
}
