using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Billing.Application.Behaviours;

/// <summary>Recognises the PostgreSQL errors that mean "a concurrent writer got there first", without referencing Npgsql here.</summary>
public static class WriteConflicts
{
    // 23505 unique_violation, 40001 serialization_failure, 40P01 deadlock_detected.
    private static readonly string[] ConflictStates = ["23505", "40001", "40P01"];

    public static bool IsWriteConflict(Exception exception)
    {
        if (exception is DbUpdateConcurrencyException)
        {
            return true;
        }

        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is DbException { SqlState: { } state } && ConflictStates.Contains(state))
            {
                return true;
            }
        }

        return false;
    }

    public static bool IsUniqueViolation(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is DbException { SqlState: "23505" })
            {
                return true;
            }
        }

        return false;
    }
}
