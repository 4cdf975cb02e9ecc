//! The customer client's connection as the appliance sees it: no actor commands these; the
//! appliance reports what its sockets did, and these decide what that means for the session.
//! Each returns no event when there is nothing to say (the session ended, the customer was
//! removed, or the news is stale), so that a late or repeated report changes nothing.
use super::event::Event;
use super::ids::{SessionId, Timestamp};
use super::session::{CustomerGone, CustomerLink};
use super::state::State;

impl State {
    /// The customer client's last event socket closed (or went silent): the session waits for
    /// it until `until`, with its tools greyed (A3).
    #[must_use]
    pub fn customer_connection_lost(&self, session: SessionId, until: Timestamp) -> Vec<Event> {
        match self.sessions.get(&session) {
            Some(s)
                if s.is_live()
                    && s.customer.connected
                    && s.customer.link == CustomerLink::Online =>
            {
                vec![Event::CustomerConnectionLost { session, until }]
            }
            _ => Vec::new(),
        }
    }

    /// A customer client of the session opened its event socket again.
    #[must_use]
    pub fn customer_reconnected(&self, session: SessionId) -> Vec<Event> {
        match self.sessions.get(&session) {
            Some(s)
                if s.is_live()
                    && s.customer.connected
                    && matches!(s.customer.link, CustomerLink::Reconnecting { .. }) =>
            {
                vec![Event::CustomerReconnected { session }]
            }
            _ => Vec::new(),
        }
    }

    /// The wait is over at `now`: a customer still not back is disconnected (the session says
    /// they left; technicians keep it, as after M1). A session nobody owns ends instead, as
    /// when its customer leaves it: nothing is left to support in a queue.
    #[must_use]
    pub fn customer_wait_over(&self, session: SessionId, now: Timestamp) -> Vec<Event> {
        match self.sessions.get(&session) {
            Some(s) if s.is_live() && s.customer.connected => match s.customer.link {
                CustomerLink::Reconnecting { until } if until <= now && s.owner.is_none() => {
                    self.end(s)
                }
                CustomerLink::Reconnecting { until } if until <= now => {
                    vec![Event::CustomerDisconnected {
                        session,
                        why: CustomerGone::ConnectionLost,
                    }]
                }
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }
}
