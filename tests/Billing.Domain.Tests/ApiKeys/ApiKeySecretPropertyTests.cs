using System.Text.RegularExpressions;
using Billing.Domain.ApiKeys;
using FsCheck;
using FsCheck.Fluent;

namespace Billing.Domain.Tests.ApiKeys;

/// <summary>Key format and checksum over generated keys and arbitrary corruptions of them.</summary>
public partial class ApiKeySecretPropertyTests
{
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(500);

    [GeneratedRegex("^tp_(live|test)_[0-9A-Za-z]{36}$")]
    private static partial Regex KeyShape();

    private static Gen<ApiKeyMode> Modes => Gen.Elements(ApiKeyMode.Live, ApiKeyMode.Test);

    [Fact]
    public void EveryGeneratedKey_HasThePublishedShape_AndParsesBackToItsMode()
    {
        Prop.ForAll(Modes.ToArbitrary(), mode =>
        {
            var secret = ApiKeySecret.Generate(mode);
            Assert.Matches(KeyShape(), secret.Value);
            Assert.StartsWith(mode == ApiKeyMode.Live ? "tp_live_" : "tp_test_", secret.Value, StringComparison.Ordinal);
            Assert.True(ApiKeySecret.TryParse(secret.Value, out var parsed));
            Assert.Equal(mode, parsed.Mode);
            Assert.Equal(ApiKeySecret.Checksum(secret.Value.AsSpan(8, 30)), secret.Value[38..]);
        }).Check(Config);
    }

    [Fact]
    public void ChangingAnyOneCharacterOfTheRandomPart_IsRefusedOffline()
    {
        var gen =
            from mode in Modes
            from position in Gen.Choose(8, 37)
            from replacement in Gen.Elements(ApiKeySecret.Alphabet.ToCharArray())
            select (mode, position, replacement);
        Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var key = ApiKeySecret.Generate(t.mode).Value;
            if (key[t.position] == t.replacement)
            {
                return;
            }

            var typo = key[..t.position] + t.replacement + key[(t.position + 1)..];
            // CRC-32 detects every single-character change.
            Assert.False(ApiKeySecret.TryParse(typo, out _));
        }).Check(Config);
    }

    [Fact]
    public void SwappingTwoAdjacentDifferentCharacters_IsRefused()
    {
        var gen = from mode in Modes from position in Gen.Choose(8, 42) select (mode, position);
        Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var key = ApiKeySecret.Generate(t.mode).Value;
            if (key[t.position] == key[t.position + 1])
            {
                return;
            }

            var chars = key.ToCharArray();
            (chars[t.position], chars[t.position + 1]) = (chars[t.position + 1], chars[t.position]);
            Assert.False(ApiKeySecret.TryParse(new string(chars), out _));
        }).Check(Config);
    }

    [Fact]
    public void AnyStringOfTheWrongShape_IsRefused()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<string>(), text =>
        {
            if (text is not null && KeyShape().IsMatch(text))
            {
                return;
            }

            Assert.False(ApiKeySecret.TryParse(text, out _));
        }).Check(Config);
    }

    [Fact]
    public void AChecksumIsSixBase62Characters_LeftPaddedWithZero()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<uint>(), value =>
        {
            var text = ApiKeySecret.ToBase62(value, 6);
            Assert.Equal(6, text.Length);
            ulong back = 0;
            foreach (var c in text)
            {
                back = (back * 62) + (ulong)ApiKeySecret.Alphabet.IndexOf(c, StringComparison.Ordinal);
            }

            Assert.Equal(value, back);
        }).Check(Config);
    }

    [Fact]
    public void KnownVector_MatchesCrc32Ieee()
    {
        // CRC-32/IEEE of "123456789" is 0xCBF43926 = 3421780262, which is "3jZRME" in base62 (0-9A-Za-z).
        Assert.Equal("3jZRME", ApiKeySecret.Checksum("123456789"));
        Assert.Equal("000000", ApiKeySecret.ToBase62(0, 6));
    }

    [Fact]
    public void TheHashIsSha256OfTheWholeKey_AndTheMaskShowsOnlyPrefixAndLastFour()
    {
        var secret = ApiKeySecret.Generate(ApiKeyMode.Live);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(secret.Value)), secret.Hash());
        Assert.Equal("tp_live_…" + secret.Value[^4..], secret.Masked);
        Assert.Equal(secret.Masked, secret.ToString());
        Assert.DoesNotContain(secret.Value[8..38], secret.Masked, StringComparison.Ordinal);
    }
}
