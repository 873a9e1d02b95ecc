using System.Text;
using Billing.Domain.Common;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Billing.Infrastructure.Persistence.Configurations;

/// <summary>Column conversions shared by the aggregate configurations.</summary>
internal static class ValueConversions
{
    public static PropertyBuilder<UserId> IsUserId(this PropertyBuilder<UserId> property) =>
        property.HasConversion(v => v.Value, v => UserId.From(v)).HasMaxLength(UserId.MaxLength);

    /// <summary>Enums are stored as their snake_case names (past_due, owed_debt) so SQL reads like the API.</summary>
    public static PropertyBuilder<TEnum> IsSnakeCaseEnum<TEnum>(this PropertyBuilder<TEnum> property, int maxLength)
        where TEnum : struct, Enum =>
        property.HasConversion(v => ToSnakeCase(v.ToString()), v => Enum.Parse<TEnum>(v.Replace("_", "", StringComparison.Ordinal), true))
            .HasMaxLength(maxLength);

    public static string ToSnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(name[i]));
        }

        return builder.ToString();
    }
}
