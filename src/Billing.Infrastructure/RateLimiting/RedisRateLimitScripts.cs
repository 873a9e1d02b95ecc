namespace Billing.Infrastructure.RateLimiting;

/// <summary>
/// The Lua scripts behind <see cref="RedisRequestRateLimiter"/>. Each decision is one script run, so it is atomic across
/// every instance; time is Redis's own clock (<c>TIME</c>), so instances with skewed clocks still share one bucket.
/// Large numbers go through <c>string.format('%.0f')</c>: Lua's default number formatting keeps only 14 digits.
/// </summary>
internal static class RedisRateLimitScripts
{
    /// <summary>
    /// GCRA (a token bucket expressed as one timestamp, the theoretical arrival time): capacity L per period, refilled
    /// continuously at one request per period/L (at least 1 µs). A request is admitted while TAT + interval − now ≤ period, so a burst
    /// of 2×L admits exactly L. Microseconds throughout.
    /// KEYS[1] bucket; ARGV[1] limit; ARGV[2] period (µs). Returns {allowed, remaining, reset s, retry-after s}.
    /// </summary>
    public const string Minute = """
        local limit = tonumber(ARGV[1])
        local period = tonumber(ARGV[2])
        local interval = math.max(1, math.floor(period / limit))
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
        local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
        if tat < now then tat = now end
        local new_tat = tat + interval
        if new_tat - now > period then
          local retry = new_tat - period - now
          return {0, 0, math.ceil((tat - now) / 1000000), math.max(1, math.ceil(retry / 1000000))}
        end
        redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', string.format('%.0f', math.ceil((new_tat - now) / 1000)))
        local remaining = math.floor((period - (new_tat - now)) / interval)
        return {1, remaining, math.ceil((new_tat - now) / 1000000), 0}
        """;

    /// <summary>
    /// Concurrent-stream slots: a sorted set of lease ids scored by expiry (ms). Expired leases (an instance that crashed
    /// while streaming) are pruned before counting, so a slot is never leaked for longer than one lease.
    /// KEYS[1] slots; ARGV[1] capacity; ARGV[2] lease id; ARGV[3] lease (ms). Returns 1 when taken, 0 when full.
    /// </summary>
    public const string AcquireStream = """
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%.0f', now))
        if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
        redis.call('ZADD', KEYS[1], string.format('%.0f', now + tonumber(ARGV[3])), ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        return 1
        """;

    /// <summary>Extends a held lease; 0 when it had already expired and was pruned (the slot is gone; nothing is re-taken).</summary>
    public const string RenewStream = """
        if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        redis.call('ZADD', KEYS[1], 'XX', string.format('%.0f', now + tonumber(ARGV[2])), ARGV[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return 1
        """;
}
