using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Billing.IntegrationTests.Console.Browser;

/// <summary>What every console browser test does: sign in through the form; save a screenshot and check accessibility basics.</summary>
internal static class ConsoleBrowserChecks
{
    public static async Task SignInAsync(IPage page, string email, string password = ConsoleBrowserFixture.Password, bool expectSuccess = true)
    {
        await page.GotoAsync("/admin/sign-in");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        if (expectSuccess)
        {
            await page.WaitForURLAsync(new Regex("/admin$"));
        }
        else
        {
            await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
        }
    }

    /// <summary>Saves a screenshot and checks the page's accessibility basics.</summary>
    public static async Task CheckAsync(IPage page, string name, ITestOutputHelper output)
    {
        var path = Path.Combine(ConsoleBrowserFixture.ArtifactsDirectory, $"{name}.png");
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        output.WriteLine($"screenshot: {path}");
        var problems = await page.EvaluateAsync<string[]>("""
            () => {
              const problems = [];
              if (!document.documentElement.lang) problems.push('no lang on <html>');
              const h1 = document.querySelectorAll('h1').length;
              if (h1 !== 1) problems.push(`${h1} h1 headings`);
              if (!document.querySelector('main')) problems.push('no <main>');
              if (!document.title.trim()) problems.push('no title');
              for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
                if (!(el.labels && el.labels.length) && !el.getAttribute('aria-label')) problems.push(`unlabelled field ${el.name || el.id}`);
              }
              for (const b of document.querySelectorAll('button, a')) {
                if (!b.textContent.trim() && !b.getAttribute('aria-label')) problems.push('a button or link without text');
              }
              for (const t of document.querySelectorAll('table')) {
                if (!t.querySelector('th')) problems.push('a table without header cells');
              }
              for (const svg of document.querySelectorAll('svg')) {
                if (svg.getAttribute('role') !== 'img' || !svg.querySelector('title')) problems.push('a chart without role=img and a title');
              }
              if (document.documentElement.scrollWidth > window.innerWidth + 1) problems.push(`page scrolls sideways (${document.documentElement.scrollWidth} > ${window.innerWidth})`);
              return problems;
            }
            """);
        Assert.True(problems.Length == 0, $"{name}: {string.Join("; ", problems)}");
    }
}
