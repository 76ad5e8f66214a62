//! Request limits that need no HTTP: a token bucket per kiosk ([`RateLimiter`]), a lockout
//! for repeated failed authentications per client address ([`FailureLimiter`]), and growing
//! waits after wrong staff passwords per account and per address ([`SignInThrottle`]).
//!
//! Both are plain data behind a [`Mutex`], take the current time as an argument (so tests drive
//! time by hand), and hold a bounded number of entries: when full they first forget entries
//! whose state equals a fresh one, then the least valuable of the rest. A refusal carries a
//! [`RetryAfter`], which the caller turns into `429 Too Many Requests` with a `Retry-After`
//! header; the kiosks' uploader waits as long as that header says (see
//! `kepu_core::uploader`).

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// Requests per second one kiosk may make on average. A kiosk draining a week-long backlog
/// sends batches of up to `MAX_BATCH` (500) events one request after another, answered before
/// the next is sent; 10 requests a second is 5,000 events a second per kiosk, far more than a
/// backlog needs, while 2,000 requests in two seconds from one kiosk are refused.
pub const KIOSK_REQUESTS_PER_SECOND: f64 = 10.0;

/// Requests a kiosk may make at once, above its rate, after a quiet spell.
pub const KIOSK_BURST: u32 = 60;

/// Most keys (kiosks) a [`RateLimiter`] remembers. Keys are authenticated kiosk names, so a
/// district has far fewer; each entry is a few dozen bytes plus the key.
pub const MAX_RATE_KEYS: usize = 4096;

/// Failed authentications one client may make per [`FAILURE_WINDOW`] before it is refused.
pub const MAX_AUTH_FAILURES: u32 = 20;

/// The window [`MAX_AUTH_FAILURES`] are counted in.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(60);

/// How long the first refusal lasts; each further failure in the same window doubles it.
pub const FIRST_FAILURE_DELAY: Duration = Duration::from_secs(1);

/// Most clients a [`FailureLimiter`] remembers (about 64 bytes each: one MiB at most).
pub const MAX_FAILURE_CLIENTS: usize = 16_384;

/// How long a refused client should wait before trying again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct RetryAfter(pub Duration);

impl RetryAfter {
    /// Whole seconds for a `Retry-After` header: rounded up, at least 1, so that a client that
    /// waits exactly this long is not refused again for a fraction of a second.
    pub fn header_secs(&self) -> u64 {
        let secs = self.0.as_secs() + u64::from(self.0.subsec_nanos() > 0);
        secs.max(1)
    }
}

impl std::fmt::Display for RetryAfter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "retry after {} s", self.header_secs())
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // The maps hold plain numbers that every update leaves consistent: a panic elsewhere while
    // the lock was held cannot have left them half-written.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Settings of a [`RateLimiter`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RatePolicy {
    /// Tokens added per second (the long-run request rate). Values that are not positive and
    /// finite are taken as one per hour.
    pub per_second: f64,
    /// Bucket size: requests allowed at once after a quiet spell (at least 1).
    pub burst: u32,
    /// Most keys remembered (at least 1); see [`RateLimiter`] for what happens when full.
    pub max_keys: usize,
}

impl Default for RatePolicy {
    /// Per kiosk: [`KIOSK_REQUESTS_PER_SECOND`], [`KIOSK_BURST`], [`MAX_RATE_KEYS`].
    fn default() -> Self {
        Self {
            per_second: KIOSK_REQUESTS_PER_SECOND,
            burst: KIOSK_BURST,
            max_keys: MAX_RATE_KEYS,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// A token bucket per key (a kiosk's name): each request takes a token; tokens come back at
/// `per_second` up to `burst`.
///
/// Memory is bounded by [`RatePolicy::max_keys`] entries. When a new key arrives and the map is
/// full, every bucket that has refilled completely is forgotten first (it would behave exactly
/// like a new one); if none has, the bucket updated longest ago is forgotten, so that key
/// starts again with a full bucket. Thread-safe: one mutex, held for a map lookup.
#[derive(Debug)]
pub struct RateLimiter<K> {
    policy: RatePolicy,
    buckets: Mutex<HashMap<K, Bucket>>,
}

impl<K: Hash + Eq + Clone> RateLimiter<K> {
    pub fn new(policy: RatePolicy) -> Self {
        let per_second = if policy.per_second.is_finite() && policy.per_second > 0.0 {
            policy.per_second
        } else {
            1.0 / 3600.0
        };
        Self {
            policy: RatePolicy {
                per_second,
                burst: policy.burst.max(1),
                max_keys: policy.max_keys.max(1),
            },
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub fn policy(&self) -> RatePolicy {
        self.policy
    }

    /// Takes a token for `key` at `now`, or says how long until one is available.
    pub fn check<Q>(&self, key: &Q, now: Instant) -> Result<(), RetryAfter>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        let burst = f64::from(self.policy.burst);
        let mut buckets = lock(&self.buckets);
        let bucket = match buckets.get_mut(key) {
            Some(bucket) => {
                let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
                bucket.tokens = (bucket.tokens + elapsed * self.policy.per_second).min(burst);
                // A `now` earlier than the last update (a caller's clock read before another
                // thread's) neither adds tokens nor moves the bucket back in time.
                bucket.updated = bucket.updated.max(now);
                bucket
            }
            None => {
                if buckets.len() >= self.policy.max_keys {
                    self.make_room(&mut buckets, now);
                }
                buckets.entry(key.to_owned()).or_insert(Bucket {
                    tokens: burst,
                    updated: now,
                })
            }
        };
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - bucket.tokens) / self.policy.per_second;
            Err(RetryAfter(
                Duration::try_from_secs_f64(wait).unwrap_or(Duration::MAX),
            ))
        }
    }

    /// Keys remembered now.
    pub fn len(&self) -> usize {
        lock(&self.buckets).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn make_room(&self, buckets: &mut HashMap<K, Bucket>, now: Instant) {
        let burst = f64::from(self.policy.burst);
        let per_second = self.policy.per_second;
        buckets.retain(|_, b| {
            let elapsed = now.saturating_duration_since(b.updated).as_secs_f64();
            b.tokens + elapsed * per_second < burst
        });
        if buckets.len() >= self.policy.max_keys
            && let Some(oldest) = buckets
                .iter()
                .min_by_key(|(_, b)| b.updated)
                .map(|(k, _)| k.clone())
        {
            buckets.remove(&oldest);
        }
    }
}

impl<K: Hash + Eq + Clone> Default for RateLimiter<K> {
    fn default() -> Self {
        Self::new(RatePolicy::default())
    }
}

/// Settings of a [`FailureLimiter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailurePolicy {
    /// Failures allowed per window; the one that reaches this number starts the refusals
    /// (at least 1).
    pub max_failures: u32,
    /// Length of the window failures are counted in.
    pub window: Duration,
    /// Length of the first refusal; it doubles with each further failure in the window.
    pub first_delay: Duration,
    /// Most clients remembered (at least 1).
    pub max_clients: usize,
}

impl Default for FailurePolicy {
    /// [`MAX_AUTH_FAILURES`] per [`FAILURE_WINDOW`], [`FIRST_FAILURE_DELAY`],
    /// [`MAX_FAILURE_CLIENTS`].
    fn default() -> Self {
        Self {
            max_failures: MAX_AUTH_FAILURES,
            window: FAILURE_WINDOW,
            first_delay: FIRST_FAILURE_DELAY,
            max_clients: MAX_FAILURE_CLIENTS,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct FailureRecord {
    window_start: Instant,
    failures: u32,
    blocked_until: Option<Instant>,
}

impl FailureRecord {
    fn window_end(&self, window: Duration) -> Instant {
        self.window_start + window
    }

    fn blocked_at(&self, now: Instant) -> Option<Instant> {
        self.blocked_until.filter(|&until| until > now)
    }
}

/// Failed authentications per client address, and a lockout for clients that fail too often.
///
/// - Failures are counted in a window of [`FailurePolicy::window`] that starts with a client's
///   first failure; when it has passed, the next failure starts a new window from zero.
/// - The `max_failures`-th failure in a window, and each one after it, refuses the client for
///   a delay that doubles each time (`first_delay`, then twice that, …), never past the end of
///   the window. Call [`check`](Self::check) before looking at the credentials: while refused,
///   attempts are answered `429` with `Retry-After` without being evaluated, so a client cannot
///   go on guessing, and they do not count as failures.
/// - [`record_success`](Self::record_success) forgets that client's failures only; other
///   clients' counts are untouched.
/// - IPv6 addresses are counted per /64 (one host usually holds a whole /64), IPv4-mapped IPv6
///   addresses as the IPv4 address.
///
/// Privacy: the brief forbids recording visitors' IP addresses. Clients here are kiosks
/// (devices, not visitors), but their addresses are still only held in this map, in memory:
/// never written to the database, never logged, forgotten when their window has passed (at
/// the latest when room is needed) or when the process ends.
///
/// Memory is bounded by [`FailurePolicy::max_clients`] records. When a new client fails and
/// the map is full, records whose window has passed are dropped; if none has, the record with
/// the least to lose goes: one not refused now whose window started first, else the one whose
/// refusal ends first. A flood from more addresses than that can therefore free a refused
/// client early; tokens carry 256 random bits, so this limit is about load, not secrecy.
/// Behind one NAT address, kiosks share a record: a client that keeps failing delays the
/// others there too (a misconfigured kiosk alone does not: its uploader backs off to a
/// request a minute after a refusal, well under the limit).
#[derive(Debug)]
pub struct FailureLimiter {
    policy: FailurePolicy,
    clients: Mutex<HashMap<IpAddr, FailureRecord>>,
}

/// The key a client is counted under: IPv6 addresses by their /64 network.
fn client_key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

impl FailureLimiter {
    pub fn new(policy: FailurePolicy) -> Self {
        Self {
            policy: FailurePolicy {
                max_failures: policy.max_failures.max(1),
                max_clients: policy.max_clients.max(1),
                ..policy
            },
            clients: Mutex::new(HashMap::new()),
        }
    }

    pub fn policy(&self) -> FailurePolicy {
        self.policy
    }

    /// Whether `client` may try to authenticate at `now`; call before checking its
    /// credentials.
    pub fn check(&self, client: IpAddr, now: Instant) -> Result<(), RetryAfter> {
        let clients = lock(&self.clients);
        match clients
            .get(&client_key(client))
            .and_then(|r| r.blocked_at(now))
        {
            Some(until) => Err(RetryAfter(until - now)),
            None => Ok(()),
        }
    }

    /// Counts a failed authentication by `client`; `Some` when this failure gets it refused,
    /// with how long for (this request may still be answered `401`: it has been counted).
    pub fn record_failure(&self, client: IpAddr, now: Instant) -> Option<RetryAfter> {
        let key = client_key(client);
        let window = self.policy.window;
        let mut clients = lock(&self.clients);
        if !clients.contains_key(&key) && clients.len() >= self.policy.max_clients {
            self.make_room(&mut clients, now);
        }
        let record = clients.entry(key).or_insert(FailureRecord {
            window_start: now,
            failures: 0,
            blocked_until: None,
        });
        if now >= record.window_end(window) && record.blocked_at(now).is_none() {
            *record = FailureRecord {
                window_start: now,
                failures: 0,
                blocked_until: None,
            };
        }
        record.failures = record.failures.saturating_add(1);
        let over = record.failures.checked_sub(self.policy.max_failures);
        let over = over?;
        // 2^over times the first delay, computed without overflow, then kept inside the window.
        let factor = 1u32.checked_shl(over.min(31)).unwrap_or(u32::MAX);
        let delay = self.policy.first_delay.saturating_mul(factor);
        let until = (now + delay.min(window)).min(record.window_end(window).max(now));
        if until <= now {
            return None;
        }
        record.blocked_until = Some(record.blocked_until.map_or(until, |u| u.max(until)));
        Some(RetryAfter(until - now))
    }

    /// A successful authentication by `client`: forgets its failures (only its own).
    pub fn record_success(&self, client: IpAddr) {
        lock(&self.clients).remove(&client_key(client));
    }

    /// Clients remembered now.
    pub fn len(&self) -> usize {
        lock(&self.clients).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn make_room(&self, clients: &mut HashMap<IpAddr, FailureRecord>, now: Instant) {
        let window = self.policy.window;
        clients.retain(|_, r| now < r.window_end(window) || r.blocked_at(now).is_some());
        if clients.len() < self.policy.max_clients {
            return;
        }
        // Least to lose first: not refused now (`None` sorts first), earliest window.
        let victim = clients
            .iter()
            .min_by_key(|(_, r)| (r.blocked_at(now), r.window_start))
            .map(|(key, _)| *key);
        if let Some(victim) = victim {
            clients.remove(&victim);
        }
    }
}

impl Default for FailureLimiter {
    fn default() -> Self {
        Self::new(FailurePolicy::default())
    }
}

/// Wrong passwords one account, or one client address, may have before each further try waits.
pub const FREE_SIGNIN_FAILURES: u32 = 5;

/// The first wait; each further wrong password doubles it.
pub const FIRST_SIGNIN_DELAY: Duration = Duration::from_secs(1);

/// The longest wait (1 s, 2 s, 4 s, … 256 s, then 5 min each).
pub const MAX_SIGNIN_DELAY: Duration = Duration::from_secs(300);

/// A record with no new failure for this long (and no wait running) is forgotten: the count
/// starts from zero again.
pub const SIGNIN_MEMORY: Duration = Duration::from_secs(3600);

/// Most accounts, and separately most addresses, a [`SignInThrottle`] remembers.
pub const MAX_SIGNIN_KEYS: usize = 16_384;

/// Settings of a [`SignInThrottle`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInPolicy {
    /// Failures that cost nothing; the one that reaches this number starts the waits (at
    /// least 1).
    pub free_failures: u32,
    pub first_delay: Duration,
    pub max_delay: Duration,
    /// How long a record is kept after its last failure.
    pub memory: Duration,
    /// Most keys of each kind remembered (at least 1).
    pub max_keys: usize,
}

impl Default for SignInPolicy {
    fn default() -> Self {
        Self {
            free_failures: FREE_SIGNIN_FAILURES,
            first_delay: FIRST_SIGNIN_DELAY,
            max_delay: MAX_SIGNIN_DELAY,
            memory: SIGNIN_MEMORY,
            max_keys: MAX_SIGNIN_KEYS,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Backoff {
    failures: u32,
    last_failure: Instant,
    blocked_until: Option<Instant>,
}

impl Backoff {
    fn blocked_at(&self, now: Instant) -> Option<Instant> {
        self.blocked_until.filter(|&until| until > now)
    }

    fn forgotten_at(&self, now: Instant, memory: Duration) -> bool {
        self.blocked_at(now).is_none() && now.saturating_duration_since(self.last_failure) >= memory
    }
}

/// One map of [`Backoff`] records, bounded like [`FailureLimiter`]'s.
#[derive(Debug)]
struct BackoffMap<K> {
    records: Mutex<HashMap<K, Backoff>>,
}

impl<K: Hash + Eq + Clone> BackoffMap<K> {
    fn new() -> Self {
        Self {
            records: Mutex::new(HashMap::new()),
        }
    }

    fn blocked_until(&self, key: &K, now: Instant) -> Option<Instant> {
        lock(&self.records).get(key).and_then(|r| r.blocked_at(now))
    }

    fn record_failure(&self, key: K, now: Instant, policy: &SignInPolicy) -> Option<Instant> {
        let mut records = lock(&self.records);
        if !records.contains_key(&key) && records.len() >= policy.max_keys {
            records.retain(|_, r| !r.forgotten_at(now, policy.memory));
            if records.len() >= policy.max_keys
                // Least to lose first: not waiting now (`None` sorts first), oldest failure.
                && let Some(victim) = records
                    .iter()
                    .min_by_key(|(_, r)| (r.blocked_at(now), r.last_failure))
                    .map(|(k, _)| k.clone())
            {
                records.remove(&victim);
            }
        }
        let record = records.entry(key).or_insert(Backoff {
            failures: 0,
            last_failure: now,
            blocked_until: None,
        });
        if record.forgotten_at(now, policy.memory) {
            record.failures = 0;
        }
        record.failures = record.failures.saturating_add(1);
        record.last_failure = record.last_failure.max(now);
        let over = record.failures.checked_sub(policy.free_failures)?;
        let factor = 1u32.checked_shl(over.min(31)).unwrap_or(u32::MAX);
        let delay = policy
            .first_delay
            .saturating_mul(factor)
            .min(policy.max_delay);
        if delay.is_zero() {
            return None;
        }
        let until = now + delay;
        record.blocked_until = Some(record.blocked_until.map_or(until, |u| u.max(until)));
        record.blocked_until
    }

    fn forget(&self, key: &K) {
        lock(&self.records).remove(key);
    }

    fn len(&self) -> usize {
        lock(&self.records).len()
    }
}

/// Wrong passwords per account and per client address (the dashboard's sign-in form and HTTP
/// Basic alike), each with its own growing wait.
///
/// - Each account (by the name typed, whether an account has it or not: the waits must not
///   tell which names exist) and each address may have [`SignInPolicy::free_failures`] wrong
///   passwords; the one that reaches that number, and each after it, makes the next try wait
///   `first_delay`, then twice that, … up to `max_delay`. While a wait runs, a try is refused
///   without its password being checked (and does not count).
/// - Per account, so that guessing one person's password from many addresses is slow; per
///   address, so that trying one password against many names from one machine is slow.
/// - A right password forgets that account's failures, not the address's: someone who has
///   one account must not be able to wipe the address's count between guesses at others.
///   An address's record fades on its own after [`SignInPolicy::memory`] without failures.
/// - Addresses are counted as [`FailureLimiter`] counts them (IPv6 per /64) and held in memory
///   only. Names are cut to 64 bytes (no account name is longer).
///
/// Waiting is the price of the per-account count: someone who knows a name can keep that
/// account waiting (five minutes at most per wrong try), but cannot guess its password
/// quickly; sessions already open are not affected.
#[derive(Debug)]
pub struct SignInThrottle {
    policy: SignInPolicy,
    accounts: BackoffMap<String>,
    addresses: BackoffMap<IpAddr>,
}

/// The key an account is counted under: the name as typed, at most 64 bytes.
fn account_key(name: &str) -> String {
    let mut end = name.len().min(64);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name[..end].to_owned()
}

impl SignInThrottle {
    pub fn new(policy: SignInPolicy) -> Self {
        Self {
            policy: SignInPolicy {
                free_failures: policy.free_failures.max(1),
                max_keys: policy.max_keys.max(1),
                ..policy
            },
            accounts: BackoffMap::new(),
            addresses: BackoffMap::new(),
        }
    }

    pub fn policy(&self) -> SignInPolicy {
        self.policy
    }

    /// Whether a sign-in as `name` from `client` may be tried at `now`; the longer of the two
    /// waits when not.
    pub fn check(
        &self,
        name: &str,
        client: Option<IpAddr>,
        now: Instant,
    ) -> Result<(), RetryAfter> {
        let account = self.accounts.blocked_until(&account_key(name), now);
        let address = client.and_then(|c| self.addresses.blocked_until(&client_key(c), now));
        match account.max(address) {
            Some(until) => Err(RetryAfter(until - now)),
            None => Ok(()),
        }
    }

    /// Counts a wrong password for `name` from `client`; `Some` with the wait the next try
    /// faces when this failure starts or extends one.
    pub fn record_failure(
        &self,
        name: &str,
        client: Option<IpAddr>,
        now: Instant,
    ) -> Option<RetryAfter> {
        let account = self
            .accounts
            .record_failure(account_key(name), now, &self.policy);
        let address = client.and_then(|c| {
            self.addresses
                .record_failure(client_key(c), now, &self.policy)
        });
        account.max(address).map(|until| RetryAfter(until - now))
    }

    /// A right password for `name`: forgets that account's failures.
    pub fn record_success(&self, name: &str) {
        self.accounts.forget(&account_key(name));
    }

    /// (accounts, addresses) remembered now.
    pub fn len(&self) -> (usize, usize) {
        (self.accounts.len(), self.addresses.len())
    }
}

impl Default for SignInThrottle {
    fn default() -> Self {
        Self::new(SignInPolicy::default())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn limiter(per_second: f64, burst: u32, max_keys: usize) -> RateLimiter<String> {
        RateLimiter::new(RatePolicy {
            per_second,
            burst,
            max_keys,
        })
    }

    #[test]
    fn burst_then_refusal_with_the_time_to_the_next_token() {
        let rl = limiter(10.0, 60, 16);
        let t0 = Instant::now();
        for i in 0..60 {
            assert_eq!(rl.check("kiosk-a", t0), Ok(()), "request {i} of the burst");
        }
        let refused = rl.check("kiosk-a", t0).unwrap_err();
        // One token takes 1/10 s to come back.
        assert!(refused.0 > ms(90) && refused.0 <= ms(100), "{refused:?}");
        assert_eq!(refused.header_secs(), 1);
        // Another kiosk has its own bucket.
        assert_eq!(rl.check("kiosk-b", t0), Ok(()));
    }

    #[test]
    fn tokens_come_back_at_the_rate_and_never_above_the_burst() {
        let rl = limiter(10.0, 5, 16);
        let t0 = Instant::now();
        for _ in 0..5 {
            rl.check("k", t0).unwrap();
        }
        assert!(rl.check("k", t0).is_err());
        // 0.25 s later: two tokens back, not three.
        let t1 = t0 + ms(250);
        assert_eq!(rl.check("k", t1), Ok(()));
        assert_eq!(rl.check("k", t1), Ok(()));
        let wait = rl.check("k", t1).unwrap_err();
        assert!(wait.0 > ms(40) && wait.0 <= ms(50), "{wait:?}");
        // After an hour the bucket holds the burst, no more.
        let t2 = t1 + Duration::from_secs(3600);
        for _ in 0..5 {
            rl.check("k", t2).unwrap();
        }
        assert!(rl.check("k", t2).is_err());
    }

    #[test]
    fn the_default_allows_a_backlog_drain_but_not_a_flood() {
        let rl: RateLimiter<String> = RateLimiter::default();
        let t0 = Instant::now();
        // 2,000 requests within 2.3 s, as the hostile test sent: most are refused.
        let accepted = (0..2000u64)
            .filter(|i| rl.check("kiosk", t0 + ms(i * 23 / 20)).is_ok())
            .count();
        assert!((60..=90).contains(&accepted), "{accepted} accepted");
        // A kiosk sending one request every 100 ms (5,000 events/s) is never refused.
        let t1 = t0 + Duration::from_secs(60);
        for i in 0..600 {
            assert_eq!(rl.check("drainer", t1 + ms(i * 100)), Ok(()), "request {i}");
        }
    }

    #[test]
    fn memory_is_bounded_and_full_buckets_go_first() {
        let rl = limiter(1.0, 2, 3);
        let t0 = Instant::now();
        rl.check("a", t0).unwrap();
        rl.check("b", t0 + ms(10)).unwrap();
        rl.check("b", t0 + ms(10)).unwrap();
        rl.check("c", t0 + ms(20)).unwrap();
        rl.check("c", t0 + ms(20)).unwrap();
        assert_eq!(rl.len(), 3);
        // 1.5 s later only "a" (one token used) has refilled: it goes, the others stay.
        let t1 = t0 + ms(1500);
        rl.check("d", t1).unwrap();
        assert_eq!(rl.len(), 3);
        // "b" and "c" kept their state: one token back each, so one request, then refused.
        rl.check("b", t1).unwrap();
        assert!(rl.check("b", t1).is_err());
        // None refilled now: the least recently updated ("c") goes to make room.
        rl.check("e", t1).unwrap();
        assert_eq!(rl.len(), 3);
        // A thousand new keys never grow the map past its bound.
        for i in 0..1000 {
            let _ = rl.check(&format!("k{i}"), t1 + ms(i));
        }
        assert_eq!(rl.len(), 3);
    }

    #[test]
    fn a_clock_read_out_of_order_does_not_add_tokens() {
        let rl = limiter(1.0, 1, 4);
        let t0 = Instant::now() + Duration::from_secs(10);
        rl.check("k", t0).unwrap();
        assert!(rl.check("k", t0 - Duration::from_secs(5)).is_err());
        assert!(rl.check("k", t0 + ms(500)).is_err());
        assert_eq!(rl.check("k", t0 + ms(1000)), Ok(()));
    }

    fn ip(last: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(10, 0, 0, last))
    }

    fn failures(max_failures: u32, max_clients: usize) -> FailureLimiter {
        FailureLimiter::new(FailurePolicy {
            max_failures,
            window: Duration::from_secs(60),
            first_delay: Duration::from_secs(1),
            max_clients,
        })
    }

    #[test]
    fn failures_below_the_limit_cost_nothing_then_the_delay_grows() {
        let fl = failures(20, 16);
        let t0 = Instant::now();
        for i in 0..19 {
            assert_eq!(fl.record_failure(ip(1), t0), None, "failure {i}");
            assert_eq!(fl.check(ip(1), t0), Ok(()));
        }
        // The 20th failure: refused for a second.
        assert_eq!(
            fl.record_failure(ip(1), t0),
            Some(RetryAfter(Duration::from_secs(1)))
        );
        assert_eq!(fl.check(ip(1), t0), Err(RetryAfter(Duration::from_secs(1))));
        let half = t0 + ms(500);
        assert_eq!(fl.check(ip(1), half), Err(RetryAfter(ms(500))));
        // Each further failure after a refusal ends doubles the delay: 2 s, 4 s, 8 s.
        let mut now = t0 + Duration::from_secs(1);
        let mut delays = Vec::new();
        for _ in 0..3 {
            assert_eq!(fl.check(ip(1), now), Ok(()));
            let wait = fl.record_failure(ip(1), now).unwrap();
            delays.push(wait.0.as_secs());
            assert_eq!(fl.check(ip(1), now), Err(wait));
            now += wait.0;
        }
        assert_eq!(delays, [2, 4, 8]);
        // Other clients are not affected.
        assert_eq!(fl.check(ip(2), now - ms(1)), Ok(()));
    }

    #[test]
    fn refusals_end_with_the_window_and_a_new_window_starts_from_zero() {
        let fl = failures(3, 16);
        let t0 = Instant::now();
        assert_eq!(fl.record_failure(ip(1), t0), None);
        assert_eq!(fl.record_failure(ip(1), t0), None);
        assert!(fl.record_failure(ip(1), t0).is_some());
        // 2^6 s would pass the window's end at 60 s: the refusal stops there.
        let late = t0 + Duration::from_secs(58);
        for _ in 0..6 {
            let _ = fl.record_failure(ip(1), late);
        }
        assert_eq!(
            fl.check(ip(1), late),
            Err(RetryAfter(Duration::from_secs(2)))
        );
        let after = t0 + Duration::from_secs(60);
        assert_eq!(fl.check(ip(1), after), Ok(()));
        // A new window: two free failures again.
        assert_eq!(fl.record_failure(ip(1), after), None);
        assert_eq!(fl.record_failure(ip(1), after), None);
        assert!(fl.record_failure(ip(1), after).is_some());
    }

    #[test]
    fn a_success_forgets_only_that_clients_failures() {
        let fl = failures(3, 16);
        let t0 = Instant::now();
        for _ in 0..2 {
            assert_eq!(fl.record_failure(ip(1), t0), None);
            assert_eq!(fl.record_failure(ip(2), t0), None);
        }
        fl.record_success(ip(2));
        // ip(1) is still two failures in: the next one gets it refused.
        assert!(fl.record_failure(ip(1), t0).is_some());
        assert!(fl.check(ip(1), t0).is_err());
        // ip(2) starts from zero.
        assert_eq!(fl.record_failure(ip(2), t0), None);
        assert_eq!(fl.record_failure(ip(2), t0), None);
        assert_eq!(fl.check(ip(2), t0), Ok(()));
    }

    #[test]
    fn ipv6_clients_are_counted_per_64_and_mapped_ipv4_as_ipv4() {
        let fl = failures(2, 16);
        let t0 = Instant::now();
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(fl.record_failure(a, t0), None);
        assert!(fl.record_failure(b, t0).is_some());
        assert!(fl.check(a, t0).is_err());
        assert_eq!(fl.check(other, t0), Ok(()));
        let mapped: IpAddr = "::ffff:10.0.0.7".parse().unwrap();
        assert_eq!(fl.record_failure(ip(7), t0), None);
        assert!(fl.record_failure(mapped, t0).is_some());
        assert!(fl.check(ip(7), t0).is_err());
    }

    #[test]
    fn failure_memory_is_bounded_and_refused_clients_are_kept_longest() {
        let fl = failures(2, 4);
        let t0 = Instant::now();
        // ip(1) is refused; ip(2..=4) have one failure each.
        assert_eq!(fl.record_failure(ip(1), t0), None);
        assert!(fl.record_failure(ip(1), t0).is_some());
        for last in 2..=4 {
            assert_eq!(fl.record_failure(ip(last), t0 + ms(u64::from(last))), None);
        }
        assert_eq!(fl.len(), 4);
        // Thousands of new addresses: the map stays at its bound, and the refused client
        // stays refused while unrefused ones make room.
        for i in 0..5000u32 {
            let addr = IpAddr::V4(Ipv4Addr::from(0x0b00_0000 + i));
            let _ = fl.record_failure(addr, t0 + ms(10));
            assert!(fl.len() <= 4);
        }
        assert!(fl.check(ip(1), t0 + ms(10)).is_err());
        // Once windows have passed, old records are dropped first.
        let later = t0 + Duration::from_secs(61);
        assert_eq!(fl.record_failure(ip(9), later), None);
        assert_eq!(fl.len(), 1);
    }

    fn throttle(max_keys: usize) -> SignInThrottle {
        SignInThrottle::new(SignInPolicy {
            max_keys,
            ..SignInPolicy::default()
        })
    }

    #[test]
    fn five_wrong_passwords_for_an_account_then_each_try_waits_longer() {
        let th = throttle(16);
        let t0 = Instant::now();
        for i in 0..4 {
            assert_eq!(th.record_failure("li.lei", None, t0), None, "failure {i}");
            assert_eq!(th.check("li.lei", None, t0), Ok(()));
        }
        // The fifth: the next try waits a second; the others' accounts are not affected.
        assert_eq!(
            th.record_failure("li.lei", None, t0),
            Some(RetryAfter(Duration::from_secs(1)))
        );
        assert_eq!(
            th.check("li.lei", None, t0),
            Err(RetryAfter(Duration::from_secs(1)))
        );
        assert_eq!(th.check("wang.fang", None, t0), Ok(()));
        // 2 s, 4 s, 8 s, …, capped at five minutes.
        let mut now = t0 + Duration::from_secs(1);
        let mut waits = Vec::new();
        for _ in 0..10 {
            assert_eq!(th.check("li.lei", None, now), Ok(()));
            let wait = th.record_failure("li.lei", None, now).unwrap();
            waits.push(wait.0.as_secs());
            now += wait.0;
        }
        assert_eq!(waits, [2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
        // A right password forgets the account's count.
        th.record_success("li.lei");
        assert_eq!(th.record_failure("li.lei", None, now), None);
    }

    #[test]
    fn addresses_are_counted_apart_from_accounts_and_a_success_keeps_the_address_count() {
        let th = throttle(16);
        let t0 = Instant::now();
        // One address tries five different names: the address waits, for every name.
        for i in 0..4 {
            assert_eq!(
                th.record_failure(&format!("user{i}"), Some(ip(1)), t0),
                None
            );
        }
        assert!(th.record_failure("user4", Some(ip(1)), t0).is_some());
        assert!(th.check("someone.else", Some(ip(1)), t0).is_err());
        assert_eq!(th.check("someone.else", Some(ip(2)), t0), Ok(()));
        // A success for one of them does not clear the address.
        th.record_success("user0");
        assert!(th.check("user0", Some(ip(1)), t0).is_err());
        // After an hour without failures the address starts from zero.
        let later = t0 + SIGNIN_MEMORY;
        assert_eq!(th.check("user0", Some(ip(1)), later), Ok(()));
        assert_eq!(th.record_failure("user0", Some(ip(1)), later), None);
    }

    #[test]
    fn unknown_and_overlong_names_are_throttled_like_any_other() {
        let th = throttle(4);
        let t0 = Instant::now();
        let long = "名".repeat(100);
        for _ in 0..4 {
            assert_eq!(th.record_failure(&long, None, t0), None);
        }
        assert!(th.record_failure(&long, None, t0).is_some());
        assert!(th.check(&long, None, t0).is_err());
        // Memory stays bounded, and the waiting record is kept while others make room.
        for i in 0..1000 {
            let _ = th.record_failure(&format!("n{i}"), None, t0);
        }
        assert!(th.len().0 <= 4);
        assert!(th.check(&long, None, t0).is_err());
    }

    #[test]
    fn retry_after_header_rounds_up_to_whole_seconds() {
        assert_eq!(RetryAfter(Duration::ZERO).header_secs(), 1);
        assert_eq!(RetryAfter(ms(1)).header_secs(), 1);
        assert_eq!(RetryAfter(ms(1000)).header_secs(), 1);
        assert_eq!(RetryAfter(ms(1001)).header_secs(), 2);
        assert_eq!(RetryAfter(Duration::from_secs(60)).header_secs(), 60);
    }
}
