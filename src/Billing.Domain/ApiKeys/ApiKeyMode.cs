namespace Billing.Domain.ApiKeys;

/// <summary>Live keys spend real credits on the production Flash; test keys only ever reach the sandbox Flash.</summary>
public enum ApiKeyMode
{
    Live,
    Test,
}

public static class ApiKeyModes
{
    public static string ToWire(this ApiKeyMode mode) => mode == ApiKeyMode.Live ? "live" : "test";

    public static bool TryParse(string? value, out ApiKeyMode mode)
    {
        switch (value)
        {
            case "live":
                mode = ApiKeyMode.Live;
                return true;
            case "test":
                mode = ApiKeyMode.Test;
                return true;
            default:
                mode = default;
                return false;
        }
    }
}
