var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapGet("/health", () => Results.Ok(new { status = "ok" }));
await app.RunAsync();

/// <summary>Entry point; public so WebApplicationFactory can find it.</summary>
public partial class Program;
