using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;

namespace Billing.Domain.ApiKeys;

/// <summary>
/// The plaintext of a developer key: <c>tp_live_</c> or <c>tp_test_</c>, 30 random base62 characters from a CSPRNG, then a
/// 6-character base62 CRC-32 (IEEE) of those 30 characters. The checksum lets a typo be refused offline, and the fixed shape
/// lets secret scanners recognise our keys. Only the SHA-256 of the whole key is ever stored.
/// </summary>
public sealed class ApiKeySecret
{
    public const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    public const int RandomLength = 30;
    public const int ChecksumLength = 6;
    public const string LivePrefix = "tp_live_";
    public const string TestPrefix = "tp_test_";
    public const int Length = 8 + RandomLength + ChecksumLength;

    private ApiKeySecret(string value, ApiKeyMode mode)
    {
        Value = value;
        Mode = mode;
    }

    /// <summary>The plaintext. Shown once, at creation; never logged (use <see cref="Masked"/>).</summary>
    public string Value { get; }

    public ApiKeyMode Mode { get; }

    /// <summary><c>tp_live_…wxyz</c>: safe for logs, errors and lists.</summary>
    public string Masked => Mask(Value);

    public string LastFour => Value[^4..];

    public static ApiKeySecret Generate(ApiKeyMode mode)
    {
        var random = RandomNumberGenerator.GetString(Alphabet, RandomLength);
        return new ApiKeySecret(PrefixOf(mode) + random + Checksum(random), mode);
    }

    /// <summary>Checks prefix, length, alphabet and checksum without touching any storage.</summary>
    public static bool TryParse(string? candidate, [NotNullWhen(true)] out ApiKeySecret? secret)
    {
        secret = null;
        if (candidate is null || candidate.Length != Length)
        {
            return false;
        }

        ApiKeyMode mode;
        if (candidate.StartsWith(LivePrefix, StringComparison.Ordinal))
        {
            mode = ApiKeyMode.Live;
        }
        else if (candidate.StartsWith(TestPrefix, StringComparison.Ordinal))
        {
            mode = ApiKeyMode.Test;
        }
        else
        {
            return false;
        }

        var body = candidate.AsSpan(LivePrefix.Length);
        foreach (var c in body)
        {
            if (!IsBase62(c))
            {
                return false;
            }
        }

        var random = body[..RandomLength];
        var checksum = body[RandomLength..];
        if (!checksum.SequenceEqual(Checksum(random)))
        {
            return false;
        }

        secret = new ApiKeySecret(candidate, mode);
        return true;
    }

    /// <summary>SHA-256 of the whole key's ASCII bytes: the key has ~178 bits of entropy, so no slow hash is needed.</summary>
    public byte[] Hash() => SHA256.HashData(Encoding.ASCII.GetBytes(Value));

    /// <summary>Masks anything that looks like a key: its prefix and last four characters only.</summary>
    public static string Mask(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var prefix = key.StartsWith(LivePrefix, StringComparison.Ordinal) ? LivePrefix
            : key.StartsWith(TestPrefix, StringComparison.Ordinal) ? TestPrefix
            : "";
        return key.Length >= prefix.Length + 8 ? prefix + "…" + key[^4..] : prefix + "…";
    }

    public static string PrefixOf(ApiKeyMode mode) => mode == ApiKeyMode.Live ? LivePrefix : TestPrefix;

    /// <summary>CRC-32 (IEEE) of the ASCII random part, in base62, left-padded with '0' to 6 characters.</summary>
    public static string Checksum(ReadOnlySpan<char> random)
    {
        Span<byte> ascii = stackalloc byte[random.Length];
        for (var i = 0; i < random.Length; i++)
        {
            ascii[i] = (byte)random[i];
        }

        Span<byte> crc = stackalloc byte[4];
        Crc32.Hash(ascii, crc);
        // System.IO.Hashing writes the CRC little-endian.
        return ToBase62(BinaryPrimitives.ReadUInt32LittleEndian(crc), ChecksumLength);
    }

    public static string ToBase62(ulong value, int width)
    {
        Span<char> digits = stackalloc char[16];
        var position = digits.Length;
        do
        {
            digits[--position] = Alphabet[(int)(value % 62)];
            value /= 62;
        }
        while (value > 0);

        var text = new string(digits[position..]);
        return text.PadLeft(width, '0');
    }

    private static bool IsBase62(char c) => c is >= '0' and <= '9' or >= 'A' and <= 'Z' or >= 'a' and <= 'z';

    /// <summary>Never the plaintext.</summary>
    public override string ToString() => Masked;
}
