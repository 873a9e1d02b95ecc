using Billing.Harness;
using Xunit.Abstractions;

namespace Billing.IntegrationTests.Faults;

/// <summary>
/// CI-sized versions of build/faults.sh (same scenarios, <see cref="FaultSizes.Ci"/>). Each ends with the invariant: every
/// payment whose webhook was answered 2xx is exactly one grant of the right amount in the Flash fake, nothing else was
/// granted, and credit_grants agrees. No timing is asserted; waits are bounded by generous timeouts.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class FaultSuiteTests(FaultWorldFixture fixture, ITestOutputHelper output)
{
    private FaultScenarios Scenarios => new(fixture.World, FaultSizes.Ci, output.WriteLine);

    [Fact]
    public async Task ServiceSigkilledMidDelivery_RetriedAsStripeWould_EveryPaymentGrantedExactlyOnce() =>
        AssertPassed(await Run(s => s.ServiceKilledAsync()));

    [Fact]
    public async Task PostgresRestartedUnderLoad_EveryPaymentGrantedExactlyOnce() =>
        AssertPassed(await Run(s => s.PostgresRestartedAsync()));

    [Fact]
    public async Task FlashRefusingConnectionsUnderLoad_EveryPaymentGrantedExactlyOnceWhenItIsBack() =>
        AssertPassed(await Run(s => s.FlashDownAsync()));

    [Fact]
    public async Task FlashAnsweringPastTheClientTimeout_GrantsConfirmedFromHistory_NeverDoubled() =>
        AssertPassed(await Run(s => s.FlashSlowAsync()));

    [Fact]
    public async Task ConcurrentDuplicateDeliveries_OneInboxRowAndOneGrantPerEvent() =>
        AssertPassed(await Run(s => s.ConcurrentDuplicatesAsync()));

    [Fact]
    public async Task BadInput_EachRequestGetsA4xx_AndNothingIsStoredOrGranted() =>
        AssertPassed(await Run(s => s.BadInputAsync()));

    [Fact]
    public async Task TwoInstancesWithFlashAnsweringJustUnderTheTimeout_EachGrantOnce_NoneInDoubt() =>
        AssertPassed(await Run(s => s.TwoInstancesSlowFlashAsync()));

    [Fact]
    public async Task SigtermWhileGrantsAreInFlight_HoldMode_NothingInDoubtAfterwards() =>
        AssertPassed(await Run(s => s.SigtermDuringDeliveryAsync()));

    [Fact]
    public async Task FlashBackAfterAnOutage_GrantsFlowWithinThreeSeconds() =>
        AssertPassed(await Run(s => s.OutageRecoveryAsync()));

    private async Task<ScenarioResult> Run(Func<FaultScenarios, Task<ScenarioResult>> scenario)
    {
        if (fixture.World.Service is { HasExited: true })
        {
            await fixture.World.StartServiceAsync();
        }

        var result = await scenario(Scenarios);
        output.WriteLine(TextTable.FaultTable([result]));
        output.WriteLine(result.Notes);
        return result;
    }

    private void AssertPassed(ScenarioResult result) =>
        Assert.True(result.Passed, $"{result.Scenario}: {result.Notes} (service log: {fixture.World.LogPath})");
}
