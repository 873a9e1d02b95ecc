using Billing.Harness;

namespace Billing.IntegrationTests.Faults;

/// <summary>
/// One world for the CI-sized fault suite: a PostgreSQL cluster of its own (the PostgreSQL scenario restarts it), the Flash and
/// Stripe fakes, and the service built next to these tests running as a real process (the kill scenario SIGKILLs it).
/// </summary>
public sealed class FaultWorldFixture : IAsyncLifetime
{
    public BillingWorld World { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        World = await BillingWorld.StartAsync(new WorldOptions
        {
            FastPostgres = true,
            DatabaseName = "billing_faults_ci",
            ServiceEnvironment = FaultScenarios.ServiceEnvironment(),
            LogDirectory = Path.Combine(Path.GetTempPath(), "billing-fault-tests"),
        });
    }

    public async Task DisposeAsync() => await World.DisposeAsync();
}

/// <summary>The fault suite loads the machine and restarts PostgreSQL and the service: it runs alone, not beside other classes.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultCollection : ICollectionFixture<FaultWorldFixture>
{
    public const string Name = "faults";
}
