using FluentValidation;

namespace Billing.Application.Audit;

/// <summary>
/// Who asks for a change and why. Every command an operator sends from the console or the CLI carries one, and its
/// handler writes an audit line in the same transaction as the change.
/// </summary>
public sealed record AuditContext(string Actor, string Reason)
{
    public const string System = "system";

    /// <summary>The operator routes under /internal/billing/admin: whoever holds BILLING_ADMIN_KEY.</summary>
    public const string AdminKey = "admin_key";

    public static string Console(string operatorEmail) => $"operator:{operatorEmail}";

    public static string Cli(string osUser) => $"cli:{osUser}";
}

internal static class AuditContextRules
{
    public static void MustBeAuditable<T>(this IRuleBuilder<T, AuditContext> rule) => rule
        .NotNull()
        .ChildRules(by =>
        {
            by.RuleFor(b => b.Actor).NotEmpty().MaximumLength(Domain.Audit.AuditEntry.MaxActorLength);
            by.RuleFor(b => b.Reason).Must(r => !string.IsNullOrWhiteSpace(r)).WithMessage("A reason is required.")
                .MaximumLength(Domain.Audit.AuditEntry.MaxReasonLength);
        });
}
