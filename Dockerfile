# timepoint-billing: build with the .NET SDK, run on the ASP.NET Core runtime as a non-root user.
#   docker build -t timepoint-billing .
#   docker run -p 8080:8080 -e DATABASE_URL=... -e SERVICE_API_KEY=... timepoint-billing
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files only, so the package layer is reused until a reference changes.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Billing.Domain/Billing.Domain.csproj src/Billing.Domain/
COPY src/Billing.Application/Billing.Application.csproj src/Billing.Application/
COPY src/Billing.Infrastructure/Billing.Infrastructure.csproj src/Billing.Infrastructure/
COPY src/Billing.Api/Billing.Api.csproj src/Billing.Api/
RUN dotnet restore src/Billing.Api/Billing.Api.csproj
COPY src/ src/
RUN dotnet publish src/Billing.Api/Billing.Api.csproj -c Release --no-restore -o /app/publish /p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# curl only for the health check below.
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/publish .
# The image's unprivileged user (uid 1654); nothing here needs root.
USER $APP_UID
ENV ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_gcServer=1
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD curl --fail --silent --show-error "http://127.0.0.1:${PORT:-8080}/health/ready" > /dev/null || exit 1
# Railway (and similar platforms) say which port to listen on in PORT; 8080 otherwise.
ENTRYPOINT ["/bin/sh", "-c", "ASPNETCORE_HTTP_PORTS=${PORT:-8080} exec dotnet Billing.Api.dll"]
