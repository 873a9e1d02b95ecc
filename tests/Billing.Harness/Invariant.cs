using System.Text.RegularExpressions;
using Billing.TestFakes.Flash;

namespace Billing.Harness;

/// <summary>One row of the fault table.</summary>
public sealed record ScenarioResult(string Scenario, int Events, int GrantsExpected, int GrantsDelivered, int Duplicates, int Lost, bool Passed, string Notes)
{
    public string Result => Passed ? "PASS" : "FAIL";
}

/// <summary>
/// The check every fault scenario ends with: for every payment whose event the service answered 2xx, the Flash fake holds
/// exactly one grant of the credits owed (matched by the grant key in its description), nothing else was granted to the
/// scenario's users, and the database agrees (each grant row delivered with that amount, no other row for those users).
/// </summary>
public static partial class Invariant
{
    public sealed record Outcome(int Expected, int Delivered, int Duplicates, int Lost, int Unexpected, int WrongAmount, int DatabaseMismatches, IReadOnlyList<string> Problems)
    {
        public bool Holds => Duplicates == 0 && Lost == 0 && Unexpected == 0 && WrongAmount == 0 && DatabaseMismatches == 0;
    }

    /// <summary>Waits until every owed grant is in Flash and delivered in the database (or the timeout), lets late attempts
    /// land for <paramref name="settle"/>, then counts.</summary>
    public static async Task<Outcome> CheckAsync(BillingWorld world, IReadOnlyCollection<PaidCheckout> owed, IReadOnlyCollection<string> scenarioUsers, TimeSpan timeout, TimeSpan settle)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var outcome = await CountAsync(world, owed, scenarioUsers);
            if (outcome.Lost == 0 && outcome.DatabaseMismatches == 0)
            {
                break;
            }

            await Task.Delay(250);
        }

        await Task.Delay(settle);
        return await CountAsync(world, owed, scenarioUsers);
    }

    public static async Task<Outcome> CountAsync(BillingWorld world, IReadOnlyCollection<PaidCheckout> owed, IReadOnlyCollection<string> scenarioUsers)
    {
        var problems = new List<string>();
        var users = scenarioUsers.ToHashSet(StringComparer.Ordinal);
        var byKey = owed.ToDictionary(c => c.GrantKey, StringComparer.Ordinal);
        var flashGrants = world.Flash.Grants.Where(g => users.Contains(g.UserId)).ToList();
        var flashByKey = flashGrants.GroupBy(g => KeyOf(g) ?? "(no key)").ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);

        int lost = 0, duplicates = 0, wrongAmount = 0, unexpected = 0;
        foreach (var (key, checkout) in byKey)
        {
            if (!flashByKey.TryGetValue(key, out var grants))
            {
                lost++;
                continue;
            }

            if (grants.Count > 1)
            {
                duplicates += grants.Count - 1;
                Note(problems, $"{key} granted {grants.Count} times");
            }

            if (grants.Any(g => g.Amount != checkout.Credits || g.UserId != checkout.UserId))
            {
                wrongAmount++;
                Note(problems, $"{key} granted with the wrong amount or user");
            }
        }

        foreach (var (key, grants) in flashByKey.Where(kv => !byKey.ContainsKey(kv.Key)))
        {
            unexpected += grants.Count;
            Note(problems, $"{key}: {grants.Count} grant(s) nobody owed");
        }

        var databaseMismatches = 0;
        var rows = await GrantRowsAsync(world, users.ToArray());

        foreach (var (key, checkout) in byKey)
        {
            if (!rows.TryGetValue(key, out var row) || row.Status != "delivered" || row.Amount != checkout.Credits)
            {
                databaseMismatches++;
                Note(problems, rows.TryGetValue(key, out row) ? $"{key} is {row.Status} ({row.Amount}) in credit_grants" : $"{key} has no credit_grants row");
            }
        }

        foreach (var key in rows.Keys.Where(k => !byKey.ContainsKey(k)))
        {
            databaseMismatches++;
            Note(problems, $"{key} is in credit_grants but nothing owed it");
        }

        if (lost > 0)
        {
            Note(problems, $"{lost} owed grant(s) not in Flash, e.g. {string.Join(", ", byKey.Keys.Where(k => !flashByKey.ContainsKey(k)).Take(3))}");
        }

        return new Outcome(byKey.Count, flashGrants.Count, duplicates + unexpected, lost, unexpected, wrongAmount, databaseMismatches, problems);
    }

    private static async Task<Dictionary<string, (string Status, int Amount)>> GrantRowsAsync(BillingWorld world, string[] users)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var rows = new Dictionary<string, (string Status, int Amount)>(StringComparer.Ordinal);
                await using var command = world.DataSource.CreateCommand("SELECT grant_key, status, amount FROM credit_grants WHERE user_id = ANY($1)");
                command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = users });
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    rows[reader.GetString(0)] = (reader.GetString(1), reader.GetInt32(2));
                }

                return rows;
            }
            catch (Npgsql.NpgsqlException) when (attempt < 3)
            {
                // The harness's pooled connections do not survive a PostgreSQL restart.
                world.DataSource.Clear();
                await Task.Delay(500);
            }
        }
    }

    /// <summary>The grant key carried in brackets at the end of a grant's description.</summary>
    public static string? KeyOf(RecordedGrant grant)
    {
        var match = grant.Description is null ? null : KeyPattern().Match(grant.Description);
        return match is { Success: true } ? match.Groups[1].Value : null;
    }

    private static void Note(List<string> problems, string problem)
    {
        if (problems.Count < 10)
        {
            problems.Add(problem);
        }
    }

    [GeneratedRegex(@"\[([^\[\]]+)\]\s*$")]
    private static partial Regex KeyPattern();
}
