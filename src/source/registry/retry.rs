//! Retrying registry requests: bounded attempts, exponential backoff, a
//! total time budget, and `Retry-After` honoured (up to a cap) when the
//! registry sends one with a 429 or 503.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Retries after the first attempt (so `retries + 1` attempts).
    pub retries: u32,
    /// First backoff; doubles each retry up to `max_delay`.
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// The longest `Retry-After` waited for; a registry asking for more
    /// fails the request instead of stalling the run.
    pub max_retry_after: Duration,
    /// Time from the first attempt after which no retry starts.
    pub budget: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            retries: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(60),
            budget: Duration::from_secs(300),
        }
    }
}

/// Counts the failures of one logical request (a manifest GET, or one blob
/// across all its resumed ranges) against the policy.
#[derive(Debug)]
pub struct RetryState {
    policy: RetryPolicy,
    failures: u32,
    started: Instant,
}

impl RetryState {
    pub fn new(policy: RetryPolicy) -> RetryState {
        RetryState {
            policy,
            failures: 0,
            started: Instant::now(),
        }
    }

    /// Records a failure and says how long to wait before the next
    /// attempt, or `Err` with why no further attempt is made.
    pub fn next_delay(&mut self, retry_after: Option<Duration>) -> Result<Duration, String> {
        self.failures += 1;
        let elapsed = self.started.elapsed();
        let gave_up = |why: &str| {
            format!(
                "gave up after {} attempt{} in {:.1} s{why}",
                self.failures,
                if self.failures == 1 { "" } else { "s" },
                elapsed.as_secs_f64()
            )
        };
        if self.failures > self.policy.retries {
            return Err(gave_up(""));
        }
        let delay = match retry_after {
            Some(d) if d > self.policy.max_retry_after => {
                return Err(gave_up(&format!(
                    "; the registry asked to wait {} s (Retry-After), more than {} s",
                    d.as_secs(),
                    self.policy.max_retry_after.as_secs()
                )));
            }
            Some(d) => d,
            None => backoff(&self.policy, self.failures),
        };
        if elapsed + delay > self.policy.budget {
            return Err(gave_up(&format!(
                "; the retry budget of {} s is spent",
                self.policy.budget.as_secs()
            )));
        }
        Ok(delay)
    }
}

fn backoff(policy: &RetryPolicy, failures: u32) -> Duration {
    let factor = 1u32
        .checked_shl(failures.saturating_sub(1))
        .unwrap_or(u32::MAX);
    policy
        .base_delay
        .checked_mul(factor)
        .unwrap_or(policy.max_delay)
        .min(policy.max_delay)
}

/// `Retry-After: 120` or `Retry-After: Wed, 21 Oct 2015 07:28:00 GMT`.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = parse_http_date(value)?;
    let now = now.duration_since(UNIX_EPOCH).ok()?.as_secs();
    Some(Duration::from_secs(at.saturating_sub(now)))
}

/// IMF-fixdate (RFC 9110 §5.6.7), the only form senders may produce:
/// `Sun, 06 Nov 1994 08:49:37 GMT`. Returns seconds since the epoch.
fn parse_http_date(s: &str) -> Option<u64> {
    let (_, rest) = s.split_once(", ")?;
    let mut parts = rest.split(' ');
    let day: u64 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: i64 = parts.next()?.parse().ok()?;
    let mut hms = parts.next()?.split(':');
    let h: u64 = hms.next()?.parse().ok()?;
    let m: u64 = hms.next()?.parse().ok()?;
    let sec: u64 = hms.next()?.parse().ok()?;
    if parts.next()? != "GMT" || !(1..=31).contains(&day) || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let days = u64::try_from(days).ok()?;
    Some(days * 86_400 + h * 3600 + m * 60 + sec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(
            parse_retry_after("Sun, 06 Foo 1994 08:49:47 GMT", now),
            None
        );
    }

    #[test]
    fn attempts_and_backoff_are_bounded() {
        let policy = RetryPolicy {
            retries: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(250),
            ..RetryPolicy::default()
        };
        let mut st = RetryState::new(policy);
        assert_eq!(st.next_delay(None), Ok(Duration::from_millis(100)));
        assert_eq!(st.next_delay(None), Ok(Duration::from_millis(200)));
        assert_eq!(
            st.next_delay(Some(Duration::from_secs(1))),
            Ok(Duration::from_secs(1))
        );
        let err = st.next_delay(None).unwrap_err();
        assert!(err.starts_with("gave up after 4 attempts"), "{err}");

        let mut st = RetryState::new(policy);
        let err = st.next_delay(Some(Duration::from_secs(3600))).unwrap_err();
        assert!(err.contains("Retry-After"), "{err}");
        assert_eq!(backoff(&policy, 40), Duration::from_millis(250));
    }
}
