using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Billing.Application.Audit;
using Billing.Application.Operators.AddOperator;
using Billing.Domain.Catalog;
using Billing.IntegrationTests.Grants;
using Billing.IntegrationTests.Infrastructure;
using Billing.TestFakes.Flash;
using Billing.TestFakes.Stripe;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Billing.IntegrationTests.Console.Browser;

/// <summary>
/// The service on a real Kestrel listener on loopback (background workers on), the Flash and Stripe fakes, operators of
/// every role, one user who paid through Stripe Checkout and one whose grant is dead, and Debian's chromium driven by
/// Playwright (no browser download). Shared by the browser tests of one class.
/// </summary>
public sealed class ConsoleBrowserFixture : IAsyncLifetime
{
    public const string Password = "browser test password";
    public const string ChromiumPath = "/usr/bin/chromium";
    private const string SigningSecret = "gateway-signing-secret-for-tests";

    private IPlaywright? _playwright;

    public BillingDatabase Database { get; } = new();

    public FlashFake Flash { get; private set; } = null!;

    public StripeFake Stripe { get; private set; } = null!;

    public BillingApiFactory Factory { get; private set; } = null!;

    public Uri BaseUrl { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public string AdminEmail { get; } = "admin@timepoint.test";

    public string OperatorEmail { get; } = "ops@timepoint.test";

    public string ViewerEmail { get; } = "viewer@timepoint.test";

    public string LockoutEmail { get; } = "forgetful@timepoint.test";

    /// <summary>Paid a Studio pack through Stripe Checkout; its grant is delivered.</summary>
    public string PayingUser { get; } = "user-" + Guid.NewGuid().ToString("N")[..12];

    public string PayingUserEmail { get; } = "paying.customer@example.com";

    public string CheckoutSessionId { get; private set; } = "";

    public string CheckoutEventId { get; private set; } = "";

    /// <summary>A user Flash did not know: the grant is dead until an operator requeues it.</summary>
    public string StuckUser { get; } = "user-" + Guid.NewGuid().ToString("N")[..12];

    public string DeadGrantKey { get; private set; } = "";

    public static string ArtifactsDirectory { get; } = Path.Combine(PostgresServer.RepositoryRoot(), "tests", "artifacts", "console");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: build/test.sh installs Debian's chromium (apt-get install chromium).");
        }

        await Database.InitializeAsync();
        Flash = await FlashFake.StartAsync(new FlashFakeOptions { GatewaySigningSecret = SigningSecret });
        Stripe = await StripeFake.StartAsync();
        var settings = GrantTestKit.Settings(Flash, SigningSecret, new Dictionary<string, string?>
        {
            ["STRIPE_SECRET_KEY"] = Stripe.SecretKey,
            ["STRIPE_WEBHOOK_SECRET"] = Stripe.WebhookSecret,
            ["STRIPE_API_BASE"] = Stripe.BaseUrl.ToString(),
            ["STRIPE_MAX_RETRIES"] = "1",
            ["STRIPE_TIMEOUT_SECONDS"] = "2",
            ["SUCCESS_URL"] = "https://app.timepoint.test/billing/success",
            ["CANCEL_URL"] = "https://app.timepoint.test/billing/cancel",
            ["GRANT_POLL_INTERVAL_MS"] = "100",
            ["INBOX_POLL_INTERVAL_MS"] = "100",
        });
        var port = FreePort();
        Factory = new BillingApiFactory(Database.ConnectionString, settings);
        Factory.UseKestrel(port);
        Factory.StartServer();
        BaseUrl = new Uri($"http://127.0.0.1:{port}");

        foreach (var (email, role) in new[] { (AdminEmail, "admin"), (OperatorEmail, "operator"), (ViewerEmail, "viewer"), (LockoutEmail, "operator") })
        {
            await SendAsync(new AddOperatorCommand(email, role, Password, new AuditContext("cli:test-setup", "browser test accounts")));
        }

        await SeedPayingUserAsync();
        DeadGrantKey = await ConsoleTestData.SeedDeadGrantAsync(Database, StuckUser, amount: 30);

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        Directory.CreateDirectory(ArtifactsDirectory);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (Factory is not null)
        {
            await Factory.DisposeAsync();
        }

        if (Flash is not null)
        {
            await Flash.DisposeAsync();
        }

        if (Stripe is not null)
        {
            await Stripe.DisposeAsync();
        }

        await Database.DisposeAsync();
    }

    public async Task<IPage> NewPageAsync(int width = 1280, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    public async Task<T> SendAsync<T>(IRequest<T> request)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(request);
    }

    public HttpClient ServiceClient(string? userId = null, string? email = null)
    {
        var client = new HttpClient { BaseAddress = BaseUrl };
        client.DefaultRequestHeaders.Add("X-Service-Key", BillingApiFactory.ServiceKey);
        if (userId is not null)
        {
            client.DefaultRequestHeaders.Add("X-User-Id", userId);
        }

        if (email is not null)
        {
            client.DefaultRequestHeaders.Add("X-User-Email", email);
        }

        return client;
    }

    public static async Task WaitForAsync(Func<Task<bool>> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what}: not reached in {seconds} s");
            await Task.Delay(100);
        }
    }

    /// <summary>Checkout through the API, paid at the Stripe fake, the signed webhook posted: the real path to credits.</summary>
    private async Task SeedPayingUserAsync()
    {
        Flash.AddUserWithId(PayingUser, balance: 0);
        using var client = ServiceClient(PayingUser, PayingUserEmail);
        var checkout = await client.PostAsJsonAsync("/internal/billing/stripe/checkout", new { product_id = ProductCatalog.Studio.Id });
        Assert.Equal(HttpStatusCode.OK, checkout.StatusCode);
        using var json = JsonDocument.Parse(await checkout.Content.ReadAsStringAsync());
        CheckoutSessionId = json.RootElement.GetProperty("session_id").GetString()!;
        Stripe.MarkSessionPaid(CheckoutSessionId);

        var payload = Stripe.BuildEventForObject("checkout.session.completed", CheckoutSessionId, null, null);
        using var content = new ByteArrayContent(payload);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var webhook = new HttpRequestMessage(HttpMethod.Post, "/webhooks/stripe") { Content = content };
        webhook.Headers.TryAddWithoutValidation("Stripe-Signature", Stripe.SignatureHeader(payload));
        using var plain = new HttpClient { BaseAddress = BaseUrl };
        var answer = await plain.SendAsync(webhook);
        Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
        using var sent = JsonDocument.Parse(payload);
        CheckoutEventId = sent.RootElement.GetProperty("id").GetString()!;

        await WaitForAsync(() => Task.FromResult(Flash.TotalGranted(PayingUser) == ProductCatalog.Studio.Credits.Value), "the paid pack delivered to Flash");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
