// genomamba build script: `dotnet tool restore && dotnet cake` (default target: Test).
// The same steps as the README's commands; CI calls `dotnet test` directly (see .ci/run).
var target = Argument("target", "Test");
var configuration = Argument("configuration", "Release");

Task("Clean").Does(() =>
{
    CleanDirectories("./**/bin/" + configuration);
    CleanDirectories("./**/obj/" + configuration);
});

Task("Build").Does(() =>
{
    DotNetBuild("./genomamba.sln", new DotNetBuildSettings { Configuration = configuration });
});

Task("Test").IsDependentOn("Build").Does(() =>
{
    DotNetTest("./genomamba.sln", new DotNetTestSettings { Configuration = configuration, NoBuild = true });
});

Task("BenchData").IsDependentOn("Build").Does(() =>
{
    DotNetRun("./Genomics.Cli/Genomics.Cli.csproj", new ProcessArgumentBuilder().Append("bench").Append("data"),
        new DotNetRunSettings { Configuration = configuration, NoBuild = true });
});

RunTarget(target);
