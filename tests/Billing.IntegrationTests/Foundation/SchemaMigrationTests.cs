using Billing.Infrastructure.Persistence;
using Billing.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Billing.IntegrationTests.Foundation;

public sealed class SchemaMigrationTests
{
    [Fact]
    public async Task Migrate_TwoInstancesAtOnce_ApplyEachMigrationExactlyOnce()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync();
        try
        {
            await using var first = NpgsqlDataSource.Create(connectionString);
            await using var second = NpgsqlDataSource.Create(connectionString);
            var migrators = Enumerable.Range(0, 4)
                .Select(i => new SchemaMigrator(i % 2 == 0 ? first : second, NullLogger<SchemaMigrator>.Instance))
                .ToList();

            await Task.WhenAll(migrators.Select(m => m.MigrateAsync(CancellationToken.None)));

            await using var command = first.CreateCommand("SELECT count(*), count(DISTINCT version) FROM schema_migrations");
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            Assert.Equal(SchemaMigrator.Migrations.Count, reader.GetInt64(0));
            Assert.Equal(SchemaMigrator.Migrations.Count, reader.GetInt64(1));
            Assert.True(await migrators[0].IsUpToDateAsync(CancellationToken.None));
        }
        finally
        {
            await PostgresServer.DropDatabaseAsync(connectionString);
        }
    }

    [Fact]
    public async Task IsUpToDate_OnAnEmptyDatabase_IsFalse()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync();
        try
        {
            await using var dataSource = NpgsqlDataSource.Create(connectionString);
            Assert.False(await new SchemaMigrator(dataSource, NullLogger<SchemaMigrator>.Instance).IsUpToDateAsync(CancellationToken.None));
        }
        finally
        {
            await PostgresServer.DropDatabaseAsync(connectionString);
        }
    }

    [Fact]
    public async Task MigratedSchema_MatchesTheEfModel_TablesColumnsTypesNullabilityAndUniqueIndexes()
    {
        var database = new BillingDatabase();
        await database.InitializeAsync();
        try
        {
            await using var context = database.CreateContext();
            var actualColumns = await ReadColumns(database.DataSource);
            var actualUnique = await ReadUniqueIndexes(database.DataSource);
            var problems = new List<string>();
            var modelTables = new HashSet<string>();

            foreach (var entity in context.Model.GetEntityTypes())
            {
                var table = entity.GetTableName()!;
                modelTables.Add(table);
                var store = StoreObjectIdentifier.Table(table, entity.GetSchema());
                var modelColumns = new Dictionary<string, IProperty>();
                foreach (var property in entity.GetProperties().Concat(entity.GetComplexProperties().SelectMany(c => c.ComplexType.GetProperties())))
                {
                    var column = property.GetColumnName(store)!;
                    modelColumns[column] = property;
                    if (column == "xmin")
                    {
                        continue;
                    }

                    if (!actualColumns.TryGetValue((table, column), out var actual))
                    {
                        problems.Add($"{table}.{column} is in the model but not in the database");
                        continue;
                    }

                    var expectedType = NormaliseType(property.GetColumnType(store));
                    if (expectedType != actual.Type)
                    {
                        problems.Add($"{table}.{column}: model type {expectedType}, database type {actual.Type}");
                    }

                    if (property.IsColumnNullable(store) != actual.Nullable)
                    {
                        problems.Add($"{table}.{column}: model nullable={property.IsColumnNullable(store)}, database nullable={actual.Nullable}");
                    }
                }

                foreach (var (dbTable, dbColumn) in actualColumns.Keys.Where(k => k.Table == table))
                {
                    if (!modelColumns.ContainsKey(dbColumn))
                    {
                        problems.Add($"{dbTable}.{dbColumn} is in the database but not in the model");
                    }
                }

                foreach (var index in entity.GetIndexes().Where(i => i.IsUnique))
                {
                    var columns = string.Join(",", index.Properties.Select(p => p.GetColumnName(store)));
                    if (!actualUnique.Contains((table, columns)))
                    {
                        problems.Add($"{table}: unique ({columns}) is in the model but not in the database");
                    }
                }
            }

            foreach (var table in actualColumns.Keys.Select(k => k.Table).Distinct().Where(t => t != "schema_migrations" && !PlainSqlTables.Contains(t)))
            {
                if (!modelTables.Contains(table))
                {
                    problems.Add($"table {table} is in the database but not in the model");
                }
            }

            Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    private static string NormaliseType(string? type) => (type ?? "").ToLowerInvariant() switch
    {
        "timestamp with time zone" => "timestamptz",
        var t when t.StartsWith("character varying", StringComparison.Ordinal) => t.Replace("character varying", "varchar", StringComparison.Ordinal),
        var t => t,
    };

    /// <summary>Tables written and read with plain SQL, outside the EF model: usage (partitioned, docs/decisions/0020; partitions not listed) and reconciliation (0030).</summary>
    private static readonly string[] PlainSqlTables = ["usage_events", "usage_hourly", "reconciliation_runs", "reconciliation_findings"];

    private static async Task<Dictionary<(string Table, string Column), (string Type, bool Nullable)>> ReadColumns(NpgsqlDataSource dataSource)
    {
        var columns = new Dictionary<(string, string), (string, bool)>();
        await using var command = dataSource.CreateCommand("""
            SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND a.attnum > 0 AND NOT a.attisdropped
            """);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            columns[(reader.GetString(0), reader.GetString(1))] = (NormaliseType(reader.GetString(2)), reader.GetBoolean(3));
        }

        return columns;
    }

    private static async Task<HashSet<(string Table, string Columns)>> ReadUniqueIndexes(NpgsqlDataSource dataSource)
    {
        var indexes = new HashSet<(string, string)>();
        await using var command = dataSource.CreateCommand("""
            SELECT t.relname, string_agg(a.attname, ',' ORDER BY k.ord)
            FROM pg_index i
            JOIN pg_class t ON t.oid = i.indrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
            JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
            WHERE n.nspname = 'public' AND i.indisunique
            GROUP BY t.relname, i.indexrelid
            """);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            indexes.Add((reader.GetString(0), reader.GetString(1)));
        }

        return indexes;
    }
}
