using System.Text.RegularExpressions;

namespace Billing.Application.Tests.Repository;

/// <summary>
/// README and docs stay true: every variable the code reads has a row in README's configuration table, and every relative
/// link in README and docs/ resolves to a file or folder inside the repository.
/// </summary>
public sealed partial class RepositoryDocsTests
{
    private static readonly string Root = FindRoot();

    [Fact]
    public void EveryVariableTheCodeReads_HasARowInTheReadmeConfigurationTable()
    {
        var table = ConfigurationTable(File.ReadAllText(Path.Combine(Root, "README.md")));
        var missing = VariablesReadBySource().Where(v => !table.Contains(v)).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, "Missing from README's configuration table: " + string.Join(", ", missing));
    }

    [Fact]
    public void TheVariableScan_FindsVariablesOfEveryReadingIdiom()
    {
        // A scan that finds nothing would make the test above pass vacuously: it must see each way the code reads a variable.
        var found = VariablesReadBySource();
        Assert.Contains("DATABASE_URL", found);           // sp.GetRequiredService<IConfiguration>()["…"]
        Assert.Contains("GRANT_BATCH_SIZE", found);       // SettingValues.Int(configuration, "…")
        Assert.Contains("STRIPE_SECRET_KEY", found);      // const string …Variable = "…"
        Assert.Contains("FLASH_ADMIN_KEY", found);        // const string …Key = "…"
        Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT", found);
        Assert.DoesNotContain("DID_RENEW", found);        // an Apple notification type is not a variable
        Assert.DoesNotContain("NOT_IN_THE_TABLE", ConfigurationTable("| `SOMETHING_ELSE` | x |"));
    }

    [Fact]
    public void EveryRelativeLink_InReadmeAndDocs_ResolvesInsideTheRepository()
    {
        var documents = new[] { Path.Combine(Root, "README.md") }
            .Concat(Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md", SearchOption.AllDirectories));
        var broken = new List<string>();
        var checkedLinks = 0;
        foreach (var document in documents)
        {
            foreach (Match link in MarkdownLink().Matches(File.ReadAllText(document)))
            {
                var target = link.Groups["target"].Value.Trim();
                if (target.Length == 0 || target.StartsWith('#') || UriScheme().IsMatch(target))
                {
                    continue;
                }

                checkedLinks++;
                var path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(document)!, Uri.UnescapeDataString(target.Split('#', 2)[0])));
                var inside = path.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || path == Root;
                if (!inside || (!File.Exists(path) && !Directory.Exists(path)))
                {
                    broken.Add($"{Path.GetRelativePath(Root, document)}: {target}");
                }
            }
        }

        Assert.True(checkedLinks > 10, $"only {checkedLinks} relative links found: the link pattern is wrong");
        Assert.True(broken.Count == 0, "Broken or outside links: " + string.Join("; ", broken));
    }

    private static HashSet<string> VariablesReadBySource()
    {
        var variables = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Root, "src"), "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                || file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (Match match in VariableRead().Matches(File.ReadAllText(file)))
            {
                variables.Add(match.Groups["name"].Value);
            }
        }

        return variables;
    }

    /// <summary>Every backticked upper-case name in the rows of the section "## Configuration".</summary>
    private static HashSet<string> ConfigurationTable(string readme)
    {
        var start = readme.IndexOf("## Configuration", StringComparison.Ordinal);
        var section = start < 0 ? readme : readme[start..];
        var end = section.IndexOf("\n## ", 3, StringComparison.Ordinal);
        section = end < 0 ? section : section[..end];
        return [.. section.Split('\n').Where(l => l.StartsWith('|')).SelectMany(l => BacktickedName().Matches(l).Select(m => m.Groups[1].Value))];
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Billing.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Billing.sln not found above the test binaries.");
    }

    // …["X"], SettingValues.Int(configuration, "X", …), GetValue("X"), GetEnvironmentVariable("X"), const string …Variable/Key = "X".
    [GeneratedRegex(@"(?:\[""|SettingValues\.\w+\(\w+, ""|GetValue(?:<[^>]+>)?\(""|GetEnvironmentVariable\(""|const string \w*(?:Variable|Key) = "")(?<name>[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)""")]
    private static partial Regex VariableRead();

    [GeneratedRegex("`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`")]
    private static partial Regex BacktickedName();

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex("^[a-zA-Z][a-zA-Z0-9+.-]*:")]
    private static partial Regex UriScheme();
}
