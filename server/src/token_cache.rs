//! Bearer tokens the database recently said were valid, so that a request does not wait for a
//! query before it is served (issue 14: on a one-client command that lookup was the largest cost
//! after the commit's own sync).
//!
//! Only a token found valid is kept, with its expiry, checked on every use. Every revocation
//! forgets everything once it is stored ([`TokenCache::forget_all`]), and a lookup that was under
//! way while a revocation was stored is not kept (the generation moved on), so a token that was
//! revoked is refused from the moment its revocation is committed, as before.
use crate::store::Token;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// At most this many tokens are kept; past it the cache starts again from empty. Only tokens
/// issued by a sign-in or an invitation can be kept, so it is reached only by a very large
/// organisation, where starting again costs one query per token.
const MOST: usize = 65_536;

#[derive(Debug, Default)]
struct Kept {
    /// Moves on with every revocation.
    generation: u64,
    tokens: HashMap<String, Token>,
}

/// Shared by every clone of the store.
#[derive(Debug, Default, Clone)]
pub struct TokenCache {
    kept: Arc<Mutex<Kept>>,
}

/// Where a lookup stood when it went to the database (see [`TokenCache::keep`]).
#[derive(Debug, Clone, Copy)]
pub struct Generation(u64);

impl TokenCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A token kept and not expired at `now` (ms), or where the lookup stands before it asks
    /// the database.
    ///
    /// # Errors
    /// The generation to hand to [`Self::keep`] with the database's answer.
    pub fn get(&self, token_hash: &str, now: i64) -> Result<Token, Generation> {
        let mut kept = self.lock();
        match kept.tokens.get(token_hash) {
            Some(token) if token.expires_at > now => Ok(*token),
            Some(_) => {
                kept.tokens.remove(token_hash);
                Err(Generation(kept.generation))
            }
            None => Err(Generation(kept.generation)),
        }
    }

    /// Keep what the database said, unless a revocation was stored since the lookup began.
    pub fn keep(&self, since: Generation, token_hash: &str, token: Token) {
        let mut kept = self.lock();
        if kept.generation != since.0 {
            return;
        }
        if kept.tokens.len() >= MOST {
            kept.tokens.clear();
        }
        kept.tokens.insert(token_hash.to_owned(), token);
    }

    /// Forget every token: call once a revocation is stored (committed).
    pub fn forget_all(&self) {
        let mut kept = self.lock();
        kept.generation = kept.generation.wrapping_add(1);
        kept.tokens.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::TokenKind;

    const TOKEN: Token = Token {
        bound_key: None,
        kind: TokenKind::Technician,
        subject: 1,
        expires_at: 1_000,
    };

    #[test]
    fn a_kept_token_is_served_until_it_expires() {
        let cache = TokenCache::default();
        let Err(generation) = cache.get("h", 0) else {
            panic!("nothing kept yet");
        };
        cache.keep(generation, "h", TOKEN);
        assert_eq!(cache.get("h", 999).ok(), Some(TOKEN));
        assert!(cache.get("h", 1_000).is_err(), "expired at its expiry");
        assert!(cache.get("h", 0).is_err(), "an expired token is forgotten");
    }

    #[test]
    fn a_revocation_forgets_every_token() {
        let cache = TokenCache::default();
        let Err(generation) = cache.get("h", 0) else {
            panic!("nothing kept yet");
        };
        cache.keep(generation, "h", TOKEN);
        cache.forget_all();
        assert!(cache.get("h", 0).is_err());
    }

    #[test]
    fn a_lookup_that_raced_a_revocation_is_not_kept() {
        let cache = TokenCache::default();
        // The lookup begins, the database answers "valid", and a revocation is stored before
        // the answer is kept: keeping it would let a revoked token in.
        let Err(generation) = cache.get("h", 0) else {
            panic!("nothing kept yet");
        };
        cache.forget_all();
        cache.keep(generation, "h", TOKEN);
        assert!(cache.get("h", 0).is_err());
    }
}
