using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Billing.Infrastructure.Apple;
using Billing.TestFakes.Apple;
using Microsoft.Extensions.Configuration;

namespace Billing.Bench;

/// <summary>
/// Apple verify, measured on the verifier itself (<c>AppleSignedDataVerifier.VerifyTransaction</c>: header, x5c chain to the
/// trusted root, ES256 signature, strict decode, app checks) against the bare ES256 check of the same token
/// (<c>ECDsa.VerifyData</c> with the leaf's public key already parsed). One thread each, alternated.
/// </summary>
internal static class AppleBench
{
    public sealed record Result(double VerifiedPerSecond, double RawPerSecond);

    public static Result Run(TimeSpan each)
    {
        using var pki = AppleTestPki.Create();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(pki.VerifierConfiguration()).Build();
        var verifier = new AppleSignedDataVerifier(AppleOptions.FromConfiguration(configuration), TimeProvider.System);
        var jws = pki.SignTransaction(new AppleTestTransaction { TransactionId = "2000000000000042", AppAccountToken = Guid.NewGuid() });

        var parts = jws.Split('.');
        var signingInput = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        var signature = System.Buffers.Text.Base64Url.DecodeFromChars(parts[2]);
        using var publicKey = pki.Leaf.GetECDsaPublicKey()!;

        if (!verifier.VerifyTransaction(jws).IsValid || !publicKey.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
        {
            throw new InvalidOperationException("the benchmark token does not verify");
        }

        double verifiedOps = 0, rawOps = 0, verifiedSeconds = 0, rawSeconds = 0;
        for (var round = 0; round < 2; round++)
        {
            var (ops, seconds) = Loop(each / 2, () => verifier.VerifyTransaction(jws).IsValid);
            verifiedOps += ops;
            verifiedSeconds += seconds;
            (ops, seconds) = Loop(each / 2, () => publicKey.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
            rawOps += ops;
            rawSeconds += seconds;
        }

        return new Result(verifiedOps / verifiedSeconds, rawOps / rawSeconds);
    }

    private static (long Ops, double Seconds) Loop(TimeSpan duration, Func<bool> verify)
    {
        for (var i = 0; i < 50; i++)
        {
            verify();
        }

        long ops = 0;
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < end)
        {
            if (!verify())
            {
                throw new InvalidOperationException("verification failed during the benchmark");
            }

            ops++;
        }

        return (ops, Stopwatch.GetElapsedTime(start).TotalSeconds);
    }
}
