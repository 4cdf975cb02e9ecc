//! The sizes a session's screen viewers show it at (issue 15). Each viewer says how many pixels
//! it shows the whole screen in; the customer client is told the smallest size that serves
//! every viewer (the largest width and height asked for), so nobody gets less detail than they
//! show and a lone phone gets no more than it can. A viewer that has not said counts as wanting
//! the whole screen. The appliance reads these sizes and nothing else of the screen stream.
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use tandem_core::domain::SessionId;

/// The whole screen: what a viewer that has not said is sent.
pub const WHOLE: (u16, u16) = (u16::MAX, u16::MAX);

/// One session's viewers' sizes, by viewer.
type Sizes = BTreeMap<u64, (u16, u16)>;

/// Every screen viewer's size, by session.
#[derive(Debug, Default)]
pub struct Viewports {
    sizes: Mutex<BTreeMap<SessionId, Sizes>>,
    next: AtomicU64,
}

/// The size serving every one of `sizes`: the largest of each dimension.
fn serving<'a>(sizes: impl Iterator<Item = &'a (u16, u16)>) -> Option<(u16, u16)> {
    sizes.fold(None, |most, (w, h)| {
        let (mw, mh) = most.unwrap_or((0, 0));
        Some((mw.max(*w), mh.max(*h)))
    })
}

impl Viewports {
    /// A new viewer of `session`'s screen, sent the whole screen until it says otherwise.
    /// Returns its number, and the size to tell the customer client if that changed.
    pub fn join(&self, session: SessionId) -> (u64, Option<(u16, u16)>) {
        let viewer = self.next.fetch_add(1, Ordering::Relaxed);
        (viewer, self.set(session, viewer, Some(WHOLE)))
    }

    /// The size serving every viewer of `session` now, for a customer client that (re)connects.
    pub fn current(&self, session: SessionId) -> Option<(u16, u16)> {
        let all = self.sizes.lock().ok()?;
        serving(all.get(&session)?.values())
    }

    /// A viewer's size (`None`: it left). Returns the size to tell the customer client, when
    /// the size serving every viewer changed.
    pub fn set(
        &self,
        session: SessionId,
        viewer: u64,
        size: Option<(u16, u16)>,
    ) -> Option<(u16, u16)> {
        let mut all = self.sizes.lock().ok()?;
        let viewers = all.entry(session).or_default();
        let before = serving(viewers.values());
        match size {
            Some(size) => viewers.insert(viewer, size),
            None => viewers.remove(&viewer),
        };
        let after = serving(viewers.values());
        if viewers.is_empty() {
            all.remove(&session);
        }
        after.filter(|_| after != before)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_customer_is_told_the_size_serving_every_viewer_when_it_changes() {
        let v = Viewports::default();
        let s = SessionId(1);
        let (phone, told) = v.join(s);
        assert_eq!(told, Some(WHOLE), "the whole screen until the viewer says");
        assert_eq!(v.set(s, phone, Some((1080, 608))), Some((1080, 608)));
        assert_eq!(v.set(s, phone, Some((1080, 608))), None, "nothing changed");
        let (tablet, told) = v.join(s);
        assert_eq!(told, Some(WHOLE));
        assert_eq!(v.set(s, tablet, Some((800, 1200))), Some((1080, 1200)));
        assert_eq!(v.set(s, tablet, None), Some((1080, 608)), "the tablet left");
        assert_eq!(v.set(s, phone, None), None, "nobody left to tell");
        let (_, told) = v.join(SessionId(2));
        assert_eq!(told, Some(WHOLE), "sessions are apart");
        assert_eq!(v.current(s), None);
        let (phone, _) = v.join(s);
        v.set(s, phone, Some((1080, 608)));
        assert_eq!(
            v.current(s),
            Some((1080, 608)),
            "for a customer client that reconnects"
        );
    }
}
